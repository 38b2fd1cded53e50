"""Checkout's own subscribers finish what a request could not, and ignore what is not theirs."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail

from contracts.checkout import OrderCancelled, OrderPlaced
from modules.checkout import handlers
from modules.checkout.models import Order


def test_order_placed_settles_an_order_its_request_left_placed(cart, shop, place):
    shop.inventory.fail["reservation_commit"] = RuntimeError("inventory hiccup")
    order = place(cart).body
    assert order["status"] == "placed"
    del shop.inventory.fail["reservation_commit"]
    handlers.order_placed_settle(_placed(order["number"]))
    assert Order.objects.get(number=order["number"]).status == "paid"
    assert shop.payments.of(order["number"]).status == "captured"
    assert shop.inventory.active_holds() == 0


def test_unknown_orders_are_ignored(db):
    handlers.order_placed_settle(_placed("CO-NOSUCHORDER"))
    handlers.order_placed_confirm(_placed("CO-NOSUCHORDER"))
    handlers.order_cancelled_payment_reverse(OrderCancelled(order_number="CO-NOSUCHORDER"))
    assert mail.outbox == []


def _placed(number: str) -> OrderPlaced:
    zero = Decimal("0.00")
    return OrderPlaced(
        order_number=number, reservation_reference=number, email="a@example.com", currency="EUR", lines=(),
        subtotal=zero, discount_total=zero, total=zero,
    )
