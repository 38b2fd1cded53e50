"""Checkout's subscribers to its own events: the steps after an order that must happen, with the bus's retries."""

from __future__ import annotations

import logging

from contracts.checkout import OrderCancelled, OrderNotFound, OrderPlaced
from contracts.customers import CustomerEmailConfirmed, CustomerErased
from modules.checkout.services.customers import customer_orders_erase, guest_orders_attach
from modules.checkout.services.orders import order_confirmation_send, order_payment_reverse, order_settle

logger = logging.getLogger(__name__)


def order_placed_settle(event: OrderPlaced) -> None:
    """Commit the stock and capture the payment of a new order, after the request that placed it answered."""
    try:
        order_settle(number=event.order_number)
    except OrderNotFound:
        # Orders and their OrderPlaced commit together, so this is a replayed or foreign event: nothing to do.
        logger.warning("OrderPlaced for unknown order %s ignored", event.order_number)


def order_placed_confirm(event: OrderPlaced) -> None:
    """Email the confirmation: through the outbox, so a down broker or mail server loses no email."""
    try:
        order_confirmation_send(number=event.order_number)
    except OrderNotFound:
        logger.warning("OrderPlaced for unknown order %s: no confirmation sent", event.order_number)


def order_cancelled_payment_reverse(event: OrderCancelled) -> None:
    """Void or refund the payment of a cancelled order, if the cancel request could not."""
    order_payment_reverse(number=event.order_number)


def customer_email_confirmed_attach(event: CustomerEmailConfirmed) -> None:
    """Attach the guest orders placed with the email a customer just proved is theirs."""
    guest_orders_attach(customer_id=event.customer_id, email=event.email)


def customer_erased_anonymize(event: CustomerErased) -> None:
    """Forget who placed the erased customer's orders; their amounts stay for bookkeeping."""
    customer_orders_erase(customer_id=event.customer_id)
