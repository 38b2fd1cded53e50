"""Implements ``contracts.checkout.CheckoutService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from contracts.checkout import CartTotal, OrderLine, OrderSummary
from contracts.personal_data import PersonalData
from modules.checkout import selectors
from modules.checkout.models import Order
from modules.checkout.services.placement import order_plan


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

    def cart_total_get(self, *, token: str, email: str | None = None) -> CartTotal:
        plan = order_plan(cart=selectors.cart_get(token=token), email=email)
        return CartTotal(token=token, currency=plan.quote.currency, total=plan.quote.total)

    def personal_data_export(self, *, customer_id: int, email: str) -> PersonalData:
        orders = selectors.orders_of_customer(customer_id=customer_id).order_by("-created_at", "-id")
        return PersonalData(module="checkout", records=tuple(selectors.order_document(order=order) for order in orders))
