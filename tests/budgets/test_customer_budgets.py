"""What a signed-in customer's storefront requests cost beyond an anonymous one's: budgets, each with its reason."""

from __future__ import annotations

import pytest

from modules.customers.tests.conftest import API, PASSWORD, last_link_token
from tests.budgets.sqlcount import sql_count
from tests.budgets.test_request_budgets import ADD_LINE_STATEMENTS, CART_CREATE_STATEMENTS, CARTS
from tests.e2e.conftest import shop  # noqa: F401  the real shop

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

# The access token checked through the customers contract: one indexed read (its session joined to its customer).
TOKEN_CHECK_STATEMENTS = 1
# Checkout makes sure the cart is not another customer's: one indexed EXISTS on the cart token.
CART_OWNER_STATEMENTS = 1
# Orders of the customer, a page of them with their lines, and the page count: independent of the page's size.
ORDER_HISTORY_STATEMENTS = TOKEN_CHECK_STATEMENTS + 3


@pytest.fixture
def signed_in(api_client, shop):  # noqa: F811
    api_client.post(f"{API}/register/", {"email": "ada@example.com", "password": PASSWORD}, format="json")
    api_client.post(f"{API}/email/confirm/", {"token": last_link_token("ada@example.com")}, format="json")
    tokens = api_client.post(f"{API}/sign-in/", {"email": "ada@example.com", "password": PASSWORD}, format="json").json()
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}


def test_a_signed_in_cart_create(api_client, signed_in):
    with sql_count() as count:
        assert api_client.post(CARTS, {"currency": "EUR"}, format="json", **signed_in).status_code == 201
    assert len(count.statements) <= CART_CREATE_STATEMENTS + TOKEN_CHECK_STATEMENTS, count


def test_a_signed_in_add_line(api_client, signed_in):
    token = api_client.post(CARTS, {"currency": "EUR"}, format="json", **signed_in).json()["token"]
    with sql_count() as count:
        response = api_client.post(f"{CARTS}{token}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json", **signed_in)
    assert response.status_code == 200, response.json()
    assert len(count.statements) <= ADD_LINE_STATEMENTS + TOKEN_CHECK_STATEMENTS + CART_OWNER_STATEMENTS, count
    assert count.transactions <= 1, count


@pytest.mark.parametrize("orders", [1, 3])
def test_the_order_history_page(api_client, signed_in, orders):
    for n in range(orders):
        token = api_client.post(CARTS, {"currency": "EUR"}, format="json", **signed_in).json()["token"]
        api_client.post(f"{CARTS}{token}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json", **signed_in)
        body = {"email": "ada@example.com", "shipping_address": {"name": "A", "line1": "1 St", "city": "Berlin",
                                                                  "postal_code": "10115", "country": "DE"},
                "payment": {"method": "test"}}
        assert api_client.post(f"{CARTS}{token}/complete/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"k{n}", **signed_in).status_code == 201
    with sql_count() as count:
        page = api_client.get("/api/v1/checkout/orders/", **signed_in)
    assert page.status_code == 200 and page.json()["count"] == orders
    assert len(count.statements) <= ORDER_HISTORY_STATEMENTS, count
