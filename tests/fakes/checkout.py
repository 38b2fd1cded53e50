"""The checkout contract in memory: orders a test adds."""

from __future__ import annotations

from contracts.checkout import CartNotFound, CartTotal, OrderNotFound, OrderSummary
from contracts.personal_data import PersonalData
from tests.fakes.recording import Recording


class FakeCheckout(Recording):
    """Implements ``contracts.checkout.CheckoutService``."""

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, OrderSummary] = {}
        self.carts: dict[str, CartTotal] = {}
        self.customer_orders: dict[int, list[dict]] = {}  # order documents of each customer, newest first

    def order_add(self, order: OrderSummary) -> OrderSummary:
        self.orders[order.number] = order
        return order

    def order_get(self, *, number: str) -> OrderSummary:
        self._enter("order_get", number=number)
        if number not in self.orders:
            raise OrderNotFound()
        return self.orders[number]

    def cart_add(self, cart: CartTotal) -> CartTotal:
        self.carts[cart.token] = cart
        return cart

    def cart_total_get(self, *, token: str, email: str | None = None) -> CartTotal:
        self._enter("cart_total_get", token=token, email=email)
        if token not in self.carts:
            raise CartNotFound()
        return self.carts[token]

    def personal_data_export(self, *, customer_id: int, email: str) -> PersonalData:
        self._enter("personal_data_export", customer_id=customer_id, email=email)
        return PersonalData(module="checkout", records=tuple(self.customer_orders.get(customer_id, ())))
