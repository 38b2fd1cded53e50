"""Checkout's subscribers to its own events: the steps after an order that must happen, with the bus's retries."""

from __future__ import annotations

from contracts.checkout import OrderCancelled, OrderPlaced
from modules.checkout import services


def order_placed_settle(event: OrderPlaced) -> None:
    """Commit the stock and capture the payment, if the request that placed the order could not."""
    services.order_settle(number=event.order_number)


def order_placed_confirm(event: OrderPlaced) -> None:
    """Email the confirmation: through the outbox, so a down broker or mail server loses no email."""
    services.order_confirmation_send(number=event.order_number)


def order_cancelled_payment_reverse(event: OrderCancelled) -> None:
    """Void or refund the payment of a cancelled order, if the cancel request could not."""
    services.order_payment_reverse(number=event.order_number)
