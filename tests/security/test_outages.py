"""A database or broker outage is a 503 to retry, never a 500; an order that committed is answered 201 regardless."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from commerce.eventbus.models import Delivery
from modules.checkout.models import Order
from tests.e2e.conftest import complete_body, new_cart, shop  # noqa: F401  the real shop


@pytest.mark.django_db
def test_a_database_outage_is_a_503_with_retry_after(api_client, monkeypatch):
    from modules.checkout import selectors

    def down(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(selectors, "cart_get", down)
    response = api_client.get("/api/v1/checkout/carts/some-token/")
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "5" and response["Content-Type"] == "application/problem+json"
    assert "administrator" not in response.content.decode()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_committed_order_is_answered_201_when_its_dispatch_fails(api_client, shop, new_cart, monkeypatch):  # noqa: F811
    from commerce.eventbus.services import dispatch

    token = new_cart(TEE_M=1)

    def dispatch_fails(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dispatch, "deliveries_dispatch", dispatch_fails)
    response = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="outage"
    )
    assert response.status_code == 201 and Order.objects.filter(number=response.json()["number"]).exists()
    # The deliveries wait in the outbox for the sweeper.
    assert Delivery.objects.filter(event__name="checkout.OrderPlaced", state="pending").exists()
