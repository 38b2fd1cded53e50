"""Checkout's side of storefront accounts, driven by the customers module's events (never its tables).

- ``CustomerEmailConfirmed``: guest orders placed with that email (no
  customer yet) join the account, so its order history shows them.
- ``CustomerErased``: the customer's orders are anonymized. They keep their
  number, lines, amounts and the destination country (bookkeeping and tax
  need them); they lose the email, the name and the address, and the link to
  the customer. Their open carts go.
"""

from __future__ import annotations

from kernel.transactions import atomic_for
from modules.checkout.models import Cart, CheckoutAttempt, Order

ERASED_EMAIL = "erased@erased.invalid"  # a reserved domain (RFC 2606): nothing is ever sent there


def guest_orders_attach(*, customer_id: int, email: str) -> int:
    """Attach the guest orders placed with ``email`` to ``customer_id``; return how many. Idempotent."""
    with atomic_for(Order):
        return Order.objects.filter(customer_id__isnull=True, email__iexact=email.strip()).update(customer_id=customer_id)


def customer_orders_erase(*, customer_id: int) -> int:
    """Anonymize every order of the customer and delete their open carts; return how many orders. Idempotent."""
    with atomic_for(Order):
        orders = list(Order.objects.select_for_update().filter(customer_id=customer_id))
        for order in orders:
            address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
            order.email = ERASED_EMAIL
            order.shipping_address = {field: "" for field in address} | {"country": address.get("country", "")}
            order.customer_id = None
        Order.objects.bulk_update(orders, ["email", "shipping_address", "customer_id"])
        # The stored answers of their Idempotency-Keys repeat the email and address: a replay answers the erased order.
        erased = {order.number: order for order in orders}
        for attempt in CheckoutAttempt.objects.filter(order_number__in=list(erased)).exclude(response_body=None):
            if isinstance(attempt.response_body, dict) and "email" in attempt.response_body:
                order = erased[attempt.order_number]
                attempt.response_body = {**attempt.response_body, "email": order.email, "shipping_address": order.shipping_address}
                attempt.save(update_fields=["response_body"])
        Cart.objects.filter(customer_id=customer_id, status=Cart.Status.OPEN).delete()
    return len(orders)
