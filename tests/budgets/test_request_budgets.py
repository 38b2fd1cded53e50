"""SQL statements and transactions per storefront request, through every real module: budgets that fail loudly.

Deliveries run in the delivery thread (the production default without a
broker), so what is counted is the request path alone. A budget moves only
with a written reason beside it.
"""

from __future__ import annotations

import pytest

from commerce.eventbus.delivery_thread import delivery_thread
from tests.budgets.sqlcount import sql_count
from tests.e2e.conftest import complete_body, session_open

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CARTS = "/api/v1/checkout/carts/"
# The test provider stands in for the payment provider: its ledger is the provider's bookkeeping, not ours.
PROVIDER = ("payments_testintent", "payments_testcall")

# One INSERT: a new cart has no lines to read and nothing to price.
CART_CREATE_STATEMENTS = 1
# Read the cart with its lines (1, one join); price the cart as it will be: catalog 1, inventory 1, pricing 1 (base
# prices, valid price-list prices and active promotions in one UNION ALL); write: bump the cart's version
# conditionally and write the line (2).
ADD_LINE_STATEMENTS = 6
# Cart with lines 1, key lookup 1, catalog 1, pricing 1, claim 1, the payment session read and attached 2 (payments
# now holds what checkout's pending payment row and authorization record were), inventory's reservation ≤ 6, order
# transaction 10 (fence, cart lock, lines, order, order lines, cart, outbox, deliveries, answer) — with 4 to spare
# for inventory's events when a SKU crosses a stock threshold.
COMPLETE_STATEMENTS = 30
# The claim, the payment session's attachment (payments), inventory's reservation, the order.
COMPLETE_TRANSACTIONS = 4
# Completing after 3-D Secure, before the provider's webhook said so: payments asks the provider and records the
# authorization (with PaymentAuthorized) before attaching it — 3 statements and 1 transaction more.
AUTHENTICATED_EXTRA_STATEMENTS, AUTHENTICATED_EXTRA_TRANSACTIONS = 3, 1
# A voucher adds its lookup to the quote (1) and pricing's redemption in a transaction of its own (5: the voucher
# read, locked, the reference checked, the use counted conditionally, the redemption written).
VOUCHER_EXTRA_STATEMENTS, VOUCHER_EXTRA_TRANSACTIONS = 6, 1


@pytest.fixture(autouse=True)
def deliveries_after_the_response(settings):
    settings.EVENTS_EMBEDDED_DELIVERY = "thread"
    yield
    assert delivery_thread.drain(10)


def test_cart_create(api_client, shop):
    with sql_count() as count:
        response = api_client.post(CARTS, {"currency": "EUR"}, format="json")
    assert response.status_code == 201
    assert len(count.statements) <= CART_CREATE_STATEMENTS, count
    assert count.transactions <= 1, count


@pytest.mark.parametrize("lines_before", [0, 2])
def test_add_line(api_client, shop, new_cart, lines_before):
    token = new_cart(**({"TEE_M": 1, "MUG_1": 1} if lines_before else {}))
    with sql_count() as count:
        response = api_client.post(f"{CARTS}{token}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert len(count.statements) <= ADD_LINE_STATEMENTS, count
    assert count.transactions <= 1, count


@pytest.mark.parametrize("voucher", [None, "ONCE10"])
def test_complete(api_client, shop, new_cart, voucher):
    token = new_cart(TEE_M=2, MUG_1=1)
    if voucher:
        assert api_client.put(f"{CARTS}{token}/voucher/", {"code": voucher}, format="json").status_code == 200
    session = session_open(api_client, token)  # the storefront pays before completing: not this request's cost
    with sql_count(exclude_tables=PROVIDER) as count:
        response = api_client.post(
            f"{CARTS}{token}/complete/", complete_body(session=session["id"]), format="json", HTTP_IDEMPOTENCY_KEY="budget"
        )
    assert response.status_code == 201, response.json()
    extra_statements, extra_transactions = (VOUCHER_EXTRA_STATEMENTS, VOUCHER_EXTRA_TRANSACTIONS) if voucher else (0, 0)
    assert len(count.statements) <= COMPLETE_STATEMENTS + extra_statements, count
    assert count.transactions <= COMPLETE_TRANSACTIONS + extra_transactions, count
    # Settling happened after the answer, in the delivery thread: stock taken, money captured.
    assert delivery_thread.drain(10)
    order = api_client.get(f"/api/v1/checkout/orders/{response.json()['number']}/", {"access_token": response.json()["access_token"]})
    assert order.json()["status"] == "paid"


def test_replay(api_client, shop, new_cart):
    token = new_cart(MUG_1=1)
    first = api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="again")
    with sql_count() as count:
        second = api_client.post(f"{CARTS}{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="again")
    assert second.json() == first.json()
    # Cart and lines 2, key lookup 1, the key locked and read 1: a replay never reaches another module.
    assert len(count.statements) <= 4, count


# The cart's total through checkout's contract (cart with lines 1, catalog 1, pricing 1), the session row 1, its
# intent recorded 1, its status recorded 1 with PaymentAuthorized in the outbox 1 (no subscriber: no delivery rows)
# — the provider's own ledger left out. Three transactions: the row is written before the provider is asked, so a
# lost answer is found by reconciliation; the answer is recorded after.
SESSION_CREATE_STATEMENTS, SESSION_CREATE_TRANSACTIONS = 7, 3


def test_payment_session_create(api_client, shop, new_cart):
    token = new_cart(TEE_M=2, MUG_1=1)
    with sql_count(exclude_tables=PROVIDER) as count:
        response = api_client.post("/api/v1/payments/sessions/", {"cart": token, "payment_method": "pm_card_visa"}, format="json")
    assert response.status_code == 201, response.json()
    assert len(count.statements) <= SESSION_CREATE_STATEMENTS, count
    assert count.transactions <= SESSION_CREATE_TRANSACTIONS, count


def test_complete_after_3d_secure(api_client, shop, new_cart):
    token = new_cart(TEE_M=2, MUG_1=1)
    session = session_open(api_client, token, "3ds")
    api_client.post(session["next_action"]["redirect_to_url"]["url"], {"result": "succeed"}, format="json")
    with sql_count(exclude_tables=PROVIDER) as count:
        response = api_client.post(
            f"{CARTS}{token}/complete/", complete_body(session=session["id"]), format="json", HTTP_IDEMPOTENCY_KEY="sca"
        )
    assert response.status_code == 201, response.json()
    assert len(count.statements) <= COMPLETE_STATEMENTS + AUTHENTICATED_EXTRA_STATEMENTS, count
    assert count.transactions <= COMPLETE_TRANSACTIONS + AUTHENTICATED_EXTRA_TRANSACTIONS, count
