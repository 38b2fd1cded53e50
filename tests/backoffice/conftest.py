"""Back-office fixtures: orders as checkout stores them, staff users."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from modules.checkout.models import Order, OrderLine


@pytest.fixture
def make_order(db):
    """Write an order with lines the way checkout freezes them (amounts with three stored decimals)."""
    counter = iter(range(1, 10_000))

    def make(*, currency: str = "EUR", total: str = "9.99", status: str = "paid", email: str = "ada@example.com",
             lines: list[tuple[str, str, int, str]] | None = None, number: str | None = None) -> Order:
        n = next(counter)
        order = Order.objects.create(
            number=number or f"CO-TEST{n:05d}", access_token_hash="x" * 64, email=email, currency=currency,
            subtotal=Decimal(total), discount_total=Decimal(0), total=Decimal(total), shipping_address={"name": "Ada"},
            cart_token=f"t{n}", status=status,
        )
        for sku, name, quantity, unit in lines or [("SKU-1", "Tee", 1, total)]:
            OrderLine.objects.create(
                order=order, sku=sku, name=name, quantity=quantity, unit_price=Decimal(unit), discount=Decimal(0),
                total=Decimal(unit) * quantity,
            )
        return order

    return make


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "a-long-passphrase-1")
