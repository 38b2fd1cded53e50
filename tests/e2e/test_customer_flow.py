"""A storefront on another origin: register, confirm, sign in with tokens, fill a cart, check out with a saved
address, and find the order in the customer's history — every module real."""

from __future__ import annotations

import pytest
from django.core import mail

from contracts.errors import ServiceUnavailable
from modules.customers.tests.conftest import API, PASSWORD, last_link_token
from tests.e2e.conftest import session_open

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

ORIGIN = "https://shop.example.com"
CARTS = "/api/v1/checkout/carts/"
HOME = {"name": "Ada Lovelace", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117", "country": "DE"}


@pytest.fixture
def storefront(api_client, settings):
    """The API as a browser on ORIGIN calls it: every request carries the Origin header."""
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    api_client.credentials(HTTP_ORIGIN=ORIGIN)
    return api_client


def signed_up(client, email: str) -> dict[str, str]:
    """Register, confirm and sign in ``email``; return the Authorization header of its access token."""
    assert client.post(f"{API}/register/", {"email": email, "password": PASSWORD}, format="json").status_code == 202
    assert client.post(f"{API}/email/confirm/", {"token": last_link_token(email)}, format="json").status_code == 200
    tokens = client.post(f"{API}/sign-in/", {"email": email, "password": PASSWORD}, format="json").json()
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}


def test_a_storefront_on_another_origin_signs_in_and_checks_out_with_a_saved_address(storefront, shop):
    preflight = storefront.options(
        f"{API}/me/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization"
    )
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    assert "authorization" in preflight["Access-Control-Allow-Headers"].lower()

    auth = signed_up(storefront, "ada@example.com")
    me = storefront.get(f"{API}/me/", **auth)
    assert me.status_code == 200 and me["Access-Control-Allow-Origin"] == ORIGIN
    address = storefront.post(f"{API}/me/addresses/", HOME, format="json", **auth).json()

    cart = storefront.post(CARTS, {"currency": "EUR"}, format="json", **auth).json()["token"]
    assert storefront.post(f"{CARTS}{cart}/lines/", {"sku": "TEE-M", "quantity": 2}, format="json", **auth).status_code == 200
    session = session_open(storefront, cart)
    body = {"email": "ada@example.com", "shipping_address_id": address["id"], "payment": {"session": session["id"]}}
    placed = storefront.post(f"{CARTS}{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1", **auth)
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    assert order["shipping_address"]["line1"] == "Unter den Linden 1" and order["shipping_address"]["country"] == "DE"

    # A second order, then the history: newest first, the same order document, paginated.
    cart2 = storefront.post(CARTS, {"currency": "EUR"}, format="json", **auth).json()["token"]
    storefront.post(f"{CARTS}{cart2}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json", **auth)
    body2 = {**body, "payment": {"session": session_open(storefront, cart2)["id"]}}
    second = storefront.post(f"{CARTS}{cart2}/complete/", body2, format="json", HTTP_IDEMPOTENCY_KEY="c-2", **auth).json()
    history = storefront.get("/api/v1/checkout/orders/?page_size=1", **auth).json()
    assert history["count"] == 2 and [o["number"] for o in history["results"]] == [second["number"]]
    older = storefront.get("/api/v1/checkout/orders/?page_size=1&page=2", **auth).json()["results"][0]
    assert older["number"] == order["number"] and older["lines"] == order["lines"]
    assert storefront.get(f"/api/v1/checkout/orders/{order['number']}/", **auth).json()["number"] == order["number"]


def test_another_customers_token_sees_none_of_it(storefront, shop):
    ada = signed_up(storefront, "ada@example.com")
    eve = signed_up(storefront, "eve@example.com")
    address = storefront.post(f"{API}/me/addresses/", HOME, format="json", **ada).json()
    cart = storefront.post(CARTS, {"currency": "EUR"}, format="json", **ada).json()["token"]
    storefront.post(f"{CARTS}{cart}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json", **ada)

    assert storefront.get(f"{CARTS}{cart}/", **eve).status_code == 404
    assert storefront.post(f"{CARTS}{cart}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json", **eve).status_code == 404
    assert storefront.get(f"{CARTS}{cart}/", **ada).status_code == 200

    eves_cart = storefront.post(CARTS, {"currency": "EUR"}, format="json", **eve).json()["token"]
    storefront.post(f"{CARTS}{eves_cart}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json", **eve)
    body = {"email": "eve@example.com", "shipping_address_id": address["id"], "payment": {"method": "test"}}
    stolen = storefront.post(f"{CARTS}{eves_cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="e-1", **eve)
    assert stolen.status_code == 404 and stolen.json()["code"] == "address_not_found"
    anonymous = storefront.post(f"{CARTS}{eves_cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="e-2")
    assert anonymous.status_code in (401, 403)
    both = {**body, "shipping_address": HOME}
    assert storefront.post(f"{CARTS}{eves_cart}/complete/", both, format="json", HTTP_IDEMPOTENCY_KEY="e-3", **eve).status_code == 400

    body = {"email": "ada@example.com", "shipping_address_id": address["id"], "payment": {"method": "test"}}
    number = storefront.post(f"{CARTS}{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="a-1", **ada).json()["number"]
    assert storefront.get(f"/api/v1/checkout/orders/{number}/", **eve).status_code == 404
    assert storefront.get("/api/v1/checkout/orders/", **eve).json()["count"] == 0
    assert storefront.get("/api/v1/checkout/orders/", HTTP_AUTHORIZATION="Bearer revoked.or.forged").status_code == 401


def test_a_revoked_token_is_401_on_checkout_too(storefront, shop):
    ada = signed_up(storefront, "ada@example.com")
    assert storefront.post(f"{API}/sign-out/", {}, format="json", **ada).status_code == 204
    refused = storefront.post(CARTS, {"currency": "EUR"}, format="json", **ada)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
    assert not mail.outbox or all("@" in m.to[0] for m in mail.outbox)


def test_customers_down_is_503_for_token_holders_only(storefront, shop):
    from contracts.container import services_override
    from tests.fakes.customers import FakeCustomers

    down = FakeCustomers()
    down.fail["customer_authenticate"] = ServiceUnavailable("customers is down")
    with services_override(customers=down):
        assert storefront.post(CARTS, {"currency": "EUR"}, format="json").status_code == 201
        refused = storefront.post(CARTS, {"currency": "EUR"}, format="json", HTTP_AUTHORIZATION="Bearer x.y.z")
        assert refused.status_code == 503


def lines_of(cart: dict) -> dict[str, int]:
    return {line["sku"]: line["quantity"] for line in cart["lines"]}


def test_the_cart_follows_the_customer_and_an_anonymous_cart_merges_in_at_sign_in(storefront, shop, settings):
    laptop = signed_up(storefront, "ada@example.com")
    assert storefront.get(f"{CARTS}mine/", **laptop).status_code == 404
    theirs = storefront.post(CARTS, {"currency": "EUR"}, format="json", **laptop).json()["token"]
    storefront.post(f"{CARTS}{theirs}/lines/", {"sku": "TEE-M", "quantity": 2}, format="json", **laptop)

    # On the phone, first anonymous: a cart of its own; then signing in claims it.
    anonymous = storefront.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    storefront.post(f"{CARTS}{anonymous}/lines/", {"sku": "TEE-M", "quantity": 98}, format="json")
    storefront.post(f"{CARTS}{anonymous}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json")
    tokens = storefront.post(f"{API}/sign-in/", {"email": "ada@example.com", "password": PASSWORD}, format="json").json()
    phone = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    merged = storefront.post(f"{CARTS}{anonymous}/claim/", **phone)
    assert merged.status_code == 200, merged.json()
    assert merged.json()["token"] == theirs
    assert lines_of(merged.json()) == {"TEE-M": settings.CHECKOUT_MAX_LINE_QUANTITY, "MUG-1": 1}  # summed, capped
    assert storefront.get(f"{CARTS}{anonymous}/").status_code == 404
    assert lines_of(storefront.get(f"{CARTS}mine/", **laptop).json()) == {"TEE-M": settings.CHECKOUT_MAX_LINE_QUANTITY, "MUG-1": 1}
    assert storefront.post(f"{CARTS}{theirs}/claim/", **phone).json()["token"] == theirs  # their own: nothing changes


def test_claiming_is_for_signed_in_customers_and_their_carts_only(storefront, shop):
    ada = signed_up(storefront, "ada@example.com")
    eve = signed_up(storefront, "eve@example.com")
    adas = storefront.post(CARTS, {"currency": "EUR"}, format="json", **ada).json()["token"]
    anonymous = storefront.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    assert storefront.post(f"{CARTS}{anonymous}/claim/").status_code == 401
    assert storefront.post(f"{CARTS}{adas}/claim/", **eve).status_code == 404
    assert storefront.get(f"{CARTS}mine/").status_code == 401
    # A cart with no customer of its own yet becomes Eve's: she has none.
    adopted = storefront.post(f"{CARTS}{anonymous}/claim/", **eve).json()
    assert adopted["token"] == anonymous and storefront.get(f"{CARTS}mine/", **eve).json()["token"] == anonymous
    assert storefront.get(f"{CARTS}{anonymous}/", **ada).status_code == 404
