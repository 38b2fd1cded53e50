"""Lift payments out: run it as its own service, with its own database, and pay and check out against it.

A second process runs only the payments module (``COMMERCE_MODULES=payments``)
on a database of its own, with the test provider. It asks checkout (this
test's live server) for a cart's total over HTTP; this process attaches,
captures and releases payments over HTTP. The storefront flow runs unchanged,
3-D Secure and declines included: only configuration differs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import complete_body, load_shop
from tests.extraction.services import module_elsewhere, module_service, service_env

ROOT = Path(__file__).resolve().parents[2]
SHOP_TOKEN = "extraction-test-token-of-the-shop-to-payments"
PAYMENTS_TOKEN = "extraction-test-token-of-payments-to-the-shop"



def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture
def payments_service(transactional_db, live_server, settings, tmp_path):
    """Start the payments-only process; yield its base URL."""
    load_shop(tmp_path)
    settings.CONTRACTS_SERVE_TOKENS = {"payments": PAYMENTS_TOKEN}  # this process serves checkout to payments
    env = service_env(
        module="payments", tmp_path=tmp_path, shop_token=SHOP_TOKEN, modules=settings.MODULES,
        CHECKOUT_SERVICE_URL=live_server.url, CHECKOUT_SERVICE_TOKEN=PAYMENTS_TOKEN,
        PAYMENTS_PROVIDER="test", PAYMENTS_ALLOW_TEST_PROVIDER="1",
    )
    with module_service(module="payments", env=env, tmp_path=tmp_path) as (url, _):
        yield url


@pytest.fixture
def payments_elsewhere(payments_service, settings):
    """Serve payments from the other process; yield the client."""
    with module_elsewhere(module="payments", url=payments_service, token=SHOP_TOKEN, settings=settings) as remote:
        yield remote


def cart_with(api_client, sku: str, quantity: int) -> str:
    token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
    api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": sku, "quantity": quantity}, format="json")
    return token


@pytest.mark.slow
def test_a_storefront_pays_against_an_extracted_payments_service(payments_service, payments_elsewhere, api_client):
    token = cart_with(api_client, "TEE-M", 2)
    # The payments service prices the session by asking checkout (this process) over HTTP.
    status, session = post(f"{payments_service}/api/v1/payments/sessions/", {"cart": token, "payment_method": "3ds"})
    assert status == 201, session
    assert (session["status"], session["amount"]) == ("requires_action", "40.00")

    complete = f"/api/v1/checkout/carts/{token}/complete/"
    body = complete_body(session=session["id"])
    action = api_client.post(complete, body, format="json", HTTP_IDEMPOTENCY_KEY="x1")
    # PaymentActionRequired raised in the other process arrives here as the same contract error, next action and all.
    assert action.status_code == 402 and action.json()["next_action"] == session["next_action"]

    status, _ = post(payments_service + session["next_action"]["redirect_to_url"]["url"], {"result": "succeed"})
    assert status == 200
    placed = api_client.post(complete, body, format="json", HTTP_IDEMPOTENCY_KEY="x1")
    assert placed.status_code == 201, placed.json()
    number, access = placed.json()["number"], placed.json()["access_token"]
    assert api_client.get(f"/api/v1/checkout/orders/{number}/", {"access_token": access}).json()["status"] == "paid"
    assert payments_elsewhere.session_get(session_id=session["id"]).status == "captured"

    assert api_client.post(f"/api/v1/checkout/orders/{number}/cancel/?access_token={access}").status_code == 200
    assert payments_elsewhere.session_get(session_id=session["id"]).status == "refunded"


@pytest.mark.slow
def test_a_decline_in_the_extracted_service_is_the_same_402(payments_service, payments_elsewhere, api_client):
    token = cart_with(api_client, "MUG-1", 1)
    status, problem = post(f"{payments_service}/api/v1/payments/sessions/", {"cart": token, "payment_method": "decline"})
    assert status == 402 and problem["decline_code"] == "generic_decline"
    # The former request shape pays at once, through the remote contract.
    refused = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(token="insufficient_funds"), format="json", HTTP_IDEMPOTENCY_KEY="d1"
    )
    assert refused.status_code == 402 and refused.json()["decline_code"] == "insufficient_funds"
