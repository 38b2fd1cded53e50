"""Implements ``contracts.checkout.CheckoutService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from contracts.checkout import OrderLine, OrderSummary
from modules.checkout import selectors
from modules.checkout.models import Order


def _to_order_summary(order: Order) -> OrderSummary:
    return OrderSummary(
        number=order.number,
        status=order.status,
        email=order.email,
        currency=order.currency,
        total=order.total,
        lines=tuple(
            OrderLine(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.total,
            )
            for line in order.lines.all()
        ),
    )


class CheckoutFacade:
    def order_get(self, *, number: str) -> OrderSummary:
        return _to_order_summary(selectors.order_get(number=number))
