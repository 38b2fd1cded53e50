"""Abuse limits: carts, voucher guesses, completions, declined cards and admin sign-ins are bounded."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from modules.payments import models as payments_models
from tests.e2e.conftest import complete_body, new_cart, shop  # noqa: F401  the real shop

CARTS = "/api/v1/checkout/carts/"


@pytest.fixture
def limits(settings):
    cache.clear()
    settings.THROTTLES_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES}
    yield settings.THROTTLE_RATES
    cache.clear()


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json" and response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_cart_creation_is_limited_per_client_address(api_client, limits):
    limits["cart_create"] = "3/min"
    for _ in range(3):
        assert api_client.post(CARTS, {"currency": "EUR"}, format="json").status_code == 201
    assert_throttled(api_client.post(CARTS, {"currency": "EUR"}, format="json"))
    other = api_client.post(CARTS, {"currency": "EUR"}, format="json", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 201  # another client is not punished


@pytest.mark.django_db
def test_voucher_guesses_are_limited_per_client_address(api_client, limits):
    limits["voucher"] = "5/min"
    token = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    answers = [api_client.put(f"{CARTS}{token}/voucher/", {"code": f"GUESS{i}"}, format="json").status_code for i in range(5)]
    assert 429 not in answers
    assert_throttled(api_client.put(f"{CARTS}{token}/voucher/", {"code": "GUESS6"}, format="json"))


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_completions_are_limited_per_cart(api_client, shop, new_cart, limits):  # noqa: F811
    limits["complete_cart"] = "2/min"
    token = new_cart(MUG_1=1)
    for key in ("a", "b"):
        api_client.post(f"{CARTS}{token}/complete/", {"email": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert_throttled(api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="c"))


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_cart_with_repeated_declines_cools_down_no_card_testing_oracle(api_client, shop, new_cart, limits, settings):  # noqa: F811
    settings.CHECKOUT_PAYMENT_DECLINES_MAX = 3
    token = new_cart(MUG_1=1)
    for attempt in range(3):
        declined = api_client.post(
            f"{CARTS}{token}/complete/", complete_body(token="decline"), format="json", HTTP_IDEMPOTENCY_KEY=f"card-{attempt}"
        )
        assert declined.status_code == 402
    # A replay of a declined key does not count again, and a fourth card is not even tried.
    api_client.post(f"{CARTS}{token}/complete/", complete_body(token="decline"), format="json", HTTP_IDEMPOTENCY_KEY="card-0")
    assert_throttled(api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="card-3"))
    assert payments_models.Payment.objects.filter(decline_code="generic_decline").count() == 3


@pytest.mark.django_db
def test_admin_sign_in_locks_out_after_repeated_failures(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("boss", "boss@example.com", "the-right-passphrase")
    for _ in range(3):
        client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"})
    locked = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "the-right-passphrase"})
    assert locked.status_code == 429  # even the right password waits out the cool-off
    assert "_auth_user_id" not in client.session
