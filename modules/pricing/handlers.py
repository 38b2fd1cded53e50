"""Subscribers to other modules' events: a placed order confirms its voucher use, a cancelled one gives it back."""

from __future__ import annotations

from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.customers import CustomerErased
from modules.pricing import services


def order_placed_voucher_confirm(event: OrderPlaced) -> None:
    """Confirm the voucher use reserved for the order; a no-op when there is none or it is done already."""
    if event.voucher_code:  # an order without a voucher reserved no use: nothing to read or write
        services.voucher_redemption_confirm(reference=event.order_number)


def order_cancelled_voucher_release(event: OrderCancelled) -> None:
    """Give back the voucher use of the cancelled order; a no-op when there is none or it was given back."""
    services.voucher_release(reference=event.order_number)


def customer_erased_forget(event: CustomerErased) -> None:
    """Unlink an erased customer's voucher uses from their email (they still count against the voucher's total)."""
    services.customer_redemptions_forget(email=event.email)
