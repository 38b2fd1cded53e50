"""Order access tokens: accepted in a header, stored only as a hash, kept out of logs and caches."""

from __future__ import annotations

import logging

import pytest

from commerce.logging import SecretsFilter, secrets_scrub
from modules.checkout.models import Order
from modules.checkout.tokens import access_token_hash
from tests.e2e.conftest import complete_body, new_cart, shop  # noqa: F401  the real shop

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def placed(api_client, shop, new_cart):  # noqa: F811
    token = new_cart(MUG_1=1)
    response = api_client.post(f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201
    return response


def test_the_order_keeps_only_a_hash_of_its_access_token(placed):
    body = placed.json()
    stored = Order.objects.get(number=body["number"]).access_token_hash
    assert stored != body["access_token"] and stored == access_token_hash(body["access_token"])


def test_the_order_token_header_reads_the_order_and_a_wrong_one_is_a_404(api_client, placed):
    body = placed.json()
    read = api_client.get(f"/api/v1/checkout/orders/{body['number']}/", HTTP_ORDER_TOKEN=body["access_token"])
    assert read.status_code == 200 and read.json()["number"] == body["number"]
    wrong = api_client.get(f"/api/v1/checkout/orders/{body['number']}/", HTTP_ORDER_TOKEN="x" * 43)
    assert wrong.status_code == 404
    # The query form stays, for links in emails.
    assert api_client.get(f"/api/v1/checkout/orders/{body['number']}/", {"access_token": body["access_token"]}).status_code == 200


def test_carts_orders_and_completions_are_never_cached(api_client, placed, new_cart):  # noqa: F811
    body = placed.json()
    token = new_cart()
    responses = [
        placed,
        api_client.get(f"/api/v1/checkout/carts/{token}/"),
        api_client.get(f"/api/v1/checkout/orders/{body['number']}/", HTTP_ORDER_TOKEN=body["access_token"]),
    ]
    for response in responses:
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_tokens_are_scrubbed_from_the_logs_this_project_writes(caplog):
    cart = "d1R7mCGyBe3zr02TG2xBU_qtOyyIIk7LBnM3jCbMWJg"
    assert secrets_scrub(f"Not Found: /api/v1/checkout/carts/{cart}/complete/") == "Not Found: /api/v1/checkout/carts/d1R7mC…/complete/"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Bad: %s", (f"/orders/CO-1/?access_token={cart}",), None)
    SecretsFilter().filter(record)
    assert cart not in record.getMessage() and "access_token=[scrubbed]" in record.getMessage()
