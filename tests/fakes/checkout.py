"""The checkout contract in memory: orders a test adds."""

from __future__ import annotations

from contracts.checkout import OrderNotFound, OrderSummary
from tests.fakes.recording import Recording


class FakeCheckout(Recording):
    """Implements ``contracts.checkout.CheckoutService``."""

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, OrderSummary] = {}

    def order_add(self, order: OrderSummary) -> OrderSummary:
        self.orders[order.number] = order
        return order

    def order_get(self, *, number: str) -> OrderSummary:
        self._enter("order_get", number=number)
        if number not in self.orders:
            raise OrderNotFound()
        return self.orders[number]
