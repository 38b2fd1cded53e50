"""Production fails closed: no free orders from the test gateway, no emails silently dropped."""

from __future__ import annotations

import secrets

import pytest

from commerce.tests.test_settings import manage
from modules.checkout.models import Order
from modules.payments.models import Payment
from tests.e2e.conftest import complete_body, new_cart, shop  # noqa: F401  the real shop

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "shop.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "CUSTOMERS_STOREFRONT_URL": "https://shop.example.com",
}


def test_check_deploy_fails_while_the_test_gateway_is_configured_in_production():
    result = manage("check", "--deploy", **PRODUCTION)
    assert result.returncode != 0
    assert "payments.E001" in result.stderr and "PAYMENTS_PROVIDER" in result.stderr


def test_check_deploy_accepts_the_test_gateway_when_the_operator_opts_in():
    result = manage("check", "--deploy", "--fail-level", "WARNING", CHECKOUT_ALLOW_TEST_GATEWAY="1", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_while_emails_would_go_nowhere_in_production():
    console = {**PRODUCTION, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    result = manage("check", "--deploy", CHECKOUT_ALLOW_TEST_GATEWAY="1", **console)
    assert result.returncode != 0 and "commerce.E001" in result.stderr and "EMAIL_BACKEND" in result.stderr


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_completing_a_cart_answers_503_payment_not_configured_and_changes_nothing(api_client, shop, new_cart, settings):  # noqa: F811
    token = new_cart(TEE_M=1)
    settings.CHECKOUT_ALLOW_TEST_GATEWAY = False
    response = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="free-stuff"
    )
    assert response.status_code == 503 and response.json()["code"] == "payment_not_configured"
    assert response["Content-Type"] == "application/problem+json"
    assert not Order.objects.exists() and not Payment.objects.exists()
    stock = api_client.get("/api/v1/inventory/availability/?sku=TEE-M").json()["results"][0]["available"]
    assert stock == 10  # nothing held
    settings.CHECKOUT_ALLOW_TEST_GATEWAY = True  # the same key goes through once payments are configured
    retried = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="free-stuff"
    )
    assert retried.status_code == 201
