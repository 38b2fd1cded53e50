"""Payments' test shop: checkout as its verified fake (carts with totals, orders), the test provider for real."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from contracts.checkout import CartTotal, OrderSummary
from contracts.container import services_override
from tests.fakes.checkout import FakeCheckout

SESSIONS = "/api/v1/payments/sessions/"


@pytest.fixture
def checkout(db) -> Iterator[FakeCheckout]:
    """Checkout's verified fake: cart "cart-1" costs 48.30 EUR."""
    fake = FakeCheckout()
    fake.cart_add(CartTotal(token="cart-1", currency="EUR", total=Decimal("48.30")))
    with services_override(checkout=fake):
        yield fake


def order_add(checkout: FakeCheckout, number: str) -> None:
    checkout.order_add(OrderSummary(number=number, status="placed", email="a@example.com", currency="EUR", total=Decimal("48.30"), lines=()))


@pytest.fixture
def open_session(api_client, checkout):
    """POST a session for cart-1 through the API; return the answer."""

    def run(payment_method: str | None = "pm_card_visa", cart: str = "cart-1"):
        body = {"cart": cart, **({"payment_method": payment_method} if payment_method is not None else {})}
        return api_client.post(SESSIONS, body, format="json")

    return run
