"""A customer's whole journey over HTTP, through every module's real implementation."""

from __future__ import annotations

import pytest
from django.conf import settings

from commerce.eventbus.models import Delivery
from modules.inventory.models import Reservation
from modules.payments.models import Payment
from tests.e2e.conftest import availability, complete_body

# Every database: the shop also runs with each module in a database of its own (make test-split).
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CARTS = "/api/v1/checkout/carts/"


def test_browse_cart_voucher_complete_read_cancel(api_client, shop, new_cart):
    listing = api_client.get("/api/v1/catalog/products/?currency=EUR&category=apparel").json()
    assert [p["slug"] for p in listing["results"]] == ["logo-tee"]
    tee = listing["results"][0]
    assert tee["price"] == {"amount": "20.00", "currency": "EUR"} and tee["in_stock"] is True
    assert {v["sku"]: v["available"] for v in tee["variants"]} == {"TEE-S": 0, "TEE-M": 10}
    assert api_client.get("/api/v1/catalog/products/secret-thing/").status_code == 404

    token = new_cart(TEE_M=2, MUG_1=1)
    cart = api_client.get(f"{CARTS}{token}/").json()
    assert cart["subtotal"] == "49.50" and cart["total"] == "49.50"
    assert {l["sku"]: l["name"] for l in cart["lines"]} == {"TEE-M": "Logo Tee — Medium", "MUG-1": "Enamel Mug — Default"}

    cart = api_client.put(f"{CARTS}{token}/voucher/", {"code": "once10"}, format="json").json()
    assert cart["discount_total"] == "4.95" and cart["total"] == "44.55"

    response = api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="e2e-1")
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "placed" and order["total"] == "44.55" and order["discount_total"] == "4.95"
    assert {(l["sku"], l["quantity"], l["unit_price"]) for l in order["lines"]} == {("TEE-M", 2, "20.00"), ("MUG-1", 1, "9.50")}
    # Stock sold, nothing left on hold; the single-use voucher is used up; the payment is captured.
    assert availability(api_client, "TEE-M", "MUG-1") == {"TEE-M": 8, "MUG-1": 2}
    assert not Reservation.objects.filter(state="active").exists()
    other = new_cart(MUG_1=1)
    refused = api_client.put(f"{CARTS}{other}/voucher/", {"code": "ONCE10"}, format="json")
    assert refused.status_code == 422 and refused.json()["code"] == "voucher_invalid"  # one answer for every reason
    assert Payment.objects.get(order_number=order["number"]).status == "captured"

    read = api_client.get(f"/api/v1/checkout/orders/{order['number']}/", {"access_token": order["access_token"]})
    assert read.status_code == 200 and read.json()["lines"] == order["lines"]
    assert read.json()["status"] == "paid"  # settled by the OrderPlaced subscriber, after the answer

    cancelled = api_client.post(f"/api/v1/checkout/orders/{order['number']}/cancel/?access_token={order['access_token']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert availability(api_client, "TEE-M", "MUG-1") == {"TEE-M": 10, "MUG-1": 3}
    assert api_client.put(f"{CARTS}{other}/voucher/", {"code": "ONCE10"}, format="json").status_code == 200
    assert Payment.objects.get(order_number=order["number"]).status == "refunded"
    # Every event reached every subscriber, once (each publisher keeps its outbox in its own database).
    states = {state for alias in settings.DATABASES for state in Delivery.objects.using(alias).values_list("state", flat=True)}
    assert states == {"delivered"}


def test_out_of_stock_declined_and_replayed(api_client, shop, new_cart):
    greedy = new_cart(MUG_1=5)
    response = api_client.post(f"{CARTS}{greedy}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409
    assert response.json()["shortages"] == [{"sku": "MUG-1", "requested": 5, "available": 3}]

    token = new_cart(MUG_1=2)
    api_client.put(f"{CARTS}{token}/voucher/", {"code": "ONCE10"}, format="json")
    declined = api_client.post(f"{CARTS}{token}/complete/", complete_body(token="decline"), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert declined.status_code == 402 and declined.json()["code"] == "payment_declined"
    assert availability(api_client, "MUG-1") == {"MUG-1": 3}
    assert not Reservation.objects.filter(state="active").exists()
    # The voucher was given back: another cart may still use it.
    other = new_cart(MUG_1=1)
    assert api_client.put(f"{CARTS}{other}/voucher/", {"code": "ONCE10"}, format="json").status_code == 200
    replay = api_client.post(f"{CARTS}{token}/complete/", complete_body(token="decline"), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert replay.status_code == 402 and replay.json() == declined.json()

    paid = api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert paid.status_code == 201
    again = api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert again.json() == paid.json()
    assert availability(api_client, "MUG-1") == {"MUG-1": 1}


@pytest.mark.parametrize("price_field", ["unit_price", "total", "discount"])
def test_client_cannot_set_amounts(api_client, shop, new_cart, price_field):
    token = new_cart(MUG_1=1)
    response = api_client.post(f"{CARTS}{token}/lines/", {"sku": "MUG-1", "quantity": 1, price_field: "0.01"}, format="json")
    assert response.status_code == 400
    body = {**complete_body(), price_field: "0.01"}
    assert api_client.post(f"{CARTS}{token}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="x").status_code == 400
    assert api_client.get(f"{CARTS}{token}/").json()["total"] == "9.50"
