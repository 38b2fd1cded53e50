"""Personal data across modules: guest orders join the account that confirms their email; erasure anonymizes orders."""

from __future__ import annotations

import pytest

from modules.checkout.models import CheckoutAttempt, Order
from modules.checkout.services.customers import ERASED_EMAIL
from modules.customers.models import Customer
from modules.customers.tests.conftest import API, PASSWORD, last_link_token
from modules.pricing.models import VoucherRedemption

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CARTS = "/api/v1/checkout/carts/"
ADDRESS = {"name": "Ada Lovelace", "line1": "1 Analytical St", "city": "London", "postal_code": "N1 1AA", "country": "GB"}


def guest_order(client, email: str, key: str) -> dict:
    cart = client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    client.post(f"{CARTS}{cart}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json")
    body = {"email": email, "shipping_address": ADDRESS, "payment": {"method": "test"}}
    placed = client.post(f"{CARTS}{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert placed.status_code == 201, placed.json()
    return placed.json()


def signed_up(client, email: str) -> dict[str, str]:
    assert client.post(f"{API}/register/", {"email": email, "password": PASSWORD}, format="json").status_code == 202
    assert client.post(f"{API}/email/confirm/", {"token": last_link_token(email.lower())}, format="json").status_code == 200
    tokens = client.post(f"{API}/sign-in/", {"email": email, "password": PASSWORD}, format="json").json()
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}


def test_guest_orders_join_the_account_once_its_email_is_confirmed(api_client, shop):
    mine = guest_order(api_client, "Ada@Example.com", "g-1")
    someone_elses = guest_order(api_client, "eve@example.com", "g-2")
    assert api_client.post(f"{API}/register/", {"email": "ada@example.com", "password": PASSWORD}, format="json").status_code == 202
    assert Order.objects.get(number=mine["number"]).customer_id is None  # not before the email is proven
    auth = signed_up_confirmed(api_client, "ada@example.com")
    history = api_client.get("/api/v1/checkout/orders/", **auth).json()
    assert [o["number"] for o in history["results"]] == [mine["number"]]
    assert Order.objects.get(number=someone_elses["number"]).customer_id is None


def signed_up_confirmed(client, email: str) -> dict[str, str]:
    assert client.post(f"{API}/email/confirm/", {"token": last_link_token(email)}, format="json").status_code == 200
    tokens = client.post(f"{API}/sign-in/", {"email": email, "password": PASSWORD}, format="json").json()
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}


def test_erasure_anonymizes_orders_but_keeps_their_amounts(api_client, shop):
    auth = signed_up(api_client, "ada@example.com")
    address = api_client.post(f"{API}/me/addresses/", ADDRESS, format="json", **auth).json()
    cart = api_client.post(CARTS, {"currency": "EUR"}, format="json", **auth).json()["token"]
    api_client.post(f"{CARTS}{cart}/lines/", {"sku": "TEE-M", "quantity": 2}, format="json", **auth)
    assert api_client.put(f"{CARTS}{cart}/voucher/", {"code": "ONCE10"}, format="json", **auth).status_code == 200
    body = {"email": "ada@example.com", "shipping_address_id": address["id"], "payment": {"method": "test"}}
    order = api_client.post(f"{CARTS}{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1", **auth).json()
    open_cart = api_client.post(CARTS, {"currency": "EUR"}, format="json", **auth).json()["token"]
    other = guest_order(api_client, "eve@example.com", "g-3")

    wrong = api_client.post(f"{API}/me/erase/", {"password": "not my password"}, format="json", **auth)
    assert wrong.status_code == 401 and Customer.objects.get().erased_at is None
    assert api_client.post(f"{API}/me/erase/", {"password": PASSWORD}, format="json", **auth).status_code == 204

    # Pricing forgets whose voucher use it was; the use still counts against the voucher.
    use = VoucherRedemption.objects.get(reference=order["number"])
    assert use.email == "" and use.holds_use
    erased = Order.objects.get(number=order["number"])
    assert (erased.email, erased.customer_id, str(erased.total)) == (ERASED_EMAIL, None, order["total"].ljust(len(str(erased.total)), "0"))
    assert erased.shipping_address["country"] == "GB" and not erased.shipping_address["name"] and not erased.shipping_address["line1"]
    assert erased.lines.count() == 1
    # The Idempotency-Key's stored answer (what a replay answers) is anonymized too.
    stored = CheckoutAttempt.objects.get(order_number=order["number"]).response_body
    assert stored["email"] == ERASED_EMAIL and "Lovelace" not in str(stored) and stored["total"] == order["total"]
    assert api_client.get(f"{CARTS}{open_cart}/").status_code == 404
    assert Order.objects.get(number=other["number"]).email == "eve@example.com"

    customer = Customer.objects.get()
    assert customer.email.endswith("@erased.invalid") and not customer.addresses.exists() and not customer.is_active
    assert api_client.get(f"{API}/me/", **auth).status_code == 401
    signed_in = api_client.post(f"{API}/sign-in/", {"email": "ada@example.com", "password": PASSWORD}, format="json")
    assert signed_in.status_code == 401
    # The email is free again: a new account, with nothing of the old one.
    assert api_client.post(f"{API}/register/", {"email": "ada@example.com", "password": PASSWORD}, format="json").status_code == 202
    assert Customer.objects.count() == 2


def test_the_export_holds_what_every_module_holds_about_the_customer(api_client, shop):
    auth = signed_up(api_client, "ada@example.com")
    api_client.patch(f"{API}/me/", {"first_name": "Ada", "marketing_consent": True}, format="json", **auth)
    api_client.post(f"{API}/me/addresses/", ADDRESS, format="json", **auth)
    cart = api_client.post(CARTS, {"currency": "EUR"}, format="json", **auth).json()["token"]
    api_client.post(f"{CARTS}{cart}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json", **auth)
    api_client.put(f"{CARTS}{cart}/voucher/", {"code": "ONCE10"}, format="json", **auth)
    body = {"email": "ada@example.com", "shipping_address": ADDRESS, "payment": {"method": "test"}}
    order = api_client.post(f"{CARTS}{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="x-1", **auth).json()
    guest_order(api_client, "eve@example.com", "g-9")

    exported = api_client.get(f"{API}/me/export/", **auth)
    assert exported.status_code == 200 and exported["Cache-Control"].startswith("max-age=0")
    data = exported.json()
    assert set(data) == {"customers", "checkout", "pricing"}
    assert data["customers"]["customer"]["email"] == "ada@example.com" and data["customers"]["customer"]["marketing_consent_at"]
    assert [a["line1"] for a in data["customers"]["addresses"]] == ["1 Analytical St"]
    assert [o["number"] for o in data["checkout"]] == [order["number"]]
    assert data["checkout"][0]["shipping_address"] == ADDRESS and "access_token" not in data["checkout"][0]
    assert data["pricing"] == [{"voucher_code": "ONCE10", "order_number": order["number"], "used": True}]
    assert api_client.get(f"{API}/me/export/").status_code == 401


def test_the_export_is_complete_or_refused(api_client, shop):
    from contracts.container import services_override
    from contracts.errors import ServiceUnavailable
    from tests.fakes.checkout import FakeCheckout

    auth = signed_up(api_client, "ada@example.com")
    down = FakeCheckout()
    down.fail["personal_data_export"] = ServiceUnavailable("checkout is down")
    with services_override(checkout=down):
        assert api_client.get(f"{API}/me/export/", **auth).status_code == 503
