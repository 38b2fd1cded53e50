"""Lift customers out: its own process and database; the shop learns who signs in only through the contract over HTTP.

Its events cross over too: a confirmed email attaches the shop's guest orders,
an erasure anonymizes them; its export asks checkout and pricing over HTTP.

A second process runs only the customers module (``COMMERCE_MODULES=customers``)
on a database of its own, and serves the storefront's account API (register,
confirm, sign in, address book). The shop (this test's live server, every
other module) checks each Bearer token by calling ``customer_authenticate``
over HTTP and takes a saved address with ``address_get``: the unchanged
checkout code, only configuration differs.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import load_shop
from tests.extraction.services import module_elsewhere, module_service, service_env

ROOT = Path(__file__).resolve().parents[2]
SHOP_TOKEN = "extraction-test-token-of-the-shop-to-customers"
CUSTOMERS_TOKEN = "extraction-test-token-of-customers-to-the-shop"
PASSWORD = "correct horse battery staple"
HOME = {"name": "Ada Lovelace", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117", "country": "DE"}


def call(method: str, url: str, body: dict | None = None, access: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {access}"} if access else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def link_token(log: Path, to: str) -> str:
    """The token of the latest link emailed to ``to`` (the service's console mail backend writes to its log)."""
    for _ in range(50):
        found = re.findall(rf"To: {re.escape(to)}.*?\?token=(\S+)", log.read_text(), re.S)
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no link emailed to {to}")


@pytest.fixture
def customers_service(transactional_db, live_server, settings, tmp_path):
    """Start the customers-only process; yield its base URL and its log (where its emails are written)."""
    load_shop(tmp_path)
    settings.CONTRACTS_SERVE_TOKENS = {"customers": CUSTOMERS_TOKEN}  # this process serves checkout & pricing to it
    env = service_env(
        module="customers", tmp_path=tmp_path, shop_token=SHOP_TOKEN, modules=settings.MODULES,
        # Exports ask checkout and pricing (this test's live server); its events are delivered there too.
        **{f"{module}_SERVICE_URL": live_server.url for module in ("CHECKOUT", "PRICING")},
        CONTRACTS_CLIENT_TOKEN=CUSTOMERS_TOKEN,
        EVENTS_EMBEDDED_DELIVERY="inline",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    with module_service(module="customers", env=env, tmp_path=tmp_path) as service:
        yield service


@pytest.fixture
def customers_elsewhere(customers_service, settings):
    url, _ = customers_service
    with module_elsewhere(module="customers", url=url, token=SHOP_TOKEN, settings=settings) as remote:
        yield remote


@pytest.mark.slow
def test_a_customer_of_an_extracted_customers_service_checks_out_at_the_shop(customers_service, customers_elsewhere, api_client):
    url, log_path = customers_service
    api = f"{url}/api/v1/customers"
    assert call("POST", f"{api}/register/", {"email": "ada@example.com", "password": PASSWORD})[0] == 202
    assert call("POST", f"{api}/email/confirm/", {"token": link_token(log_path, "ada@example.com")})[0] == 200
    status, tokens = call("POST", f"{api}/sign-in/", {"email": "ada@example.com", "password": PASSWORD})
    assert status == 200, tokens
    status, address = call("POST", f"{api}/me/addresses/", HOME, access=tokens["access"])
    assert status == 201, address

    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    cart = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json", **auth).json()["token"]
    api_client.post(f"/api/v1/checkout/carts/{cart}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json", **auth)
    body = {"email": "ada@example.com", "shipping_address_id": address["id"], "payment": {"method": "test"}}
    placed = api_client.post(f"/api/v1/checkout/carts/{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY="x1", **auth)
    assert placed.status_code == 201, placed.json()
    assert placed.json()["shipping_address"]["city"] == "Berlin"
    history = api_client.get("/api/v1/checkout/orders/", **auth).json()
    assert [o["number"] for o in history["results"]] == [placed.json()["number"]]

    # Signing out at the customers service is seen by the shop at once: the token is refused there too.
    assert call("POST", f"{api}/sign-out/", {}, access=tokens["access"])[0] == 204
    refused = api_client.get("/api/v1/checkout/orders/", **auth)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"


def guest_order(api_client, email: str, key: str) -> str:
    cart = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
    api_client.post(f"/api/v1/checkout/carts/{cart}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json")
    body = {"email": email, "shipping_address": HOME, "payment": {"method": "test"}}
    placed = api_client.post(f"/api/v1/checkout/carts/{cart}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert placed.status_code == 201, placed.json()
    return placed.json()["number"]


@pytest.mark.slow
def test_events_and_exports_of_an_extracted_customers_service_reach_every_module(customers_service, customers_elsewhere, api_client):
    from modules.checkout.models import Order
    from modules.checkout.services.customers import ERASED_EMAIL

    url, log_path = customers_service
    api = f"{url}/api/v1/customers"
    number = guest_order(api_client, "ada@example.com", "g1")
    assert call("POST", f"{api}/register/", {"email": "ada@example.com", "password": PASSWORD})[0] == 202
    assert call("POST", f"{api}/email/confirm/", {"token": link_token(log_path, "ada@example.com")})[0] == 200
    tokens = call("POST", f"{api}/sign-in/", {"email": "ada@example.com", "password": PASSWORD})[1]

    # CustomerEmailConfirmed crossed to this process: the guest order is in the customer's history.
    history = api_client.get("/api/v1/checkout/orders/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}").json()
    assert [o["number"] for o in history["results"]] == [number]

    status, exported = call("GET", f"{api}/me/export/", access=tokens["access"])
    assert status == 200, exported
    assert [o["number"] for o in exported["checkout"]] == [number] and exported["pricing"] == []

    assert call("POST", f"{api}/me/erase/", {"password": PASSWORD}, access=tokens["access"])[0] == 204
    erased = Order.objects.get(number=number)
    assert (erased.email, erased.customer_id, erased.shipping_address["line1"]) == (ERASED_EMAIL, None, "")
