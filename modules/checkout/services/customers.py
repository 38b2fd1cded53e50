"""Checkout's side of storefront accounts, driven by the customers module's events (never its tables).

- ``CustomerEmailConfirmed``: guest orders placed with that email (no
  customer yet) join the account, so its order history shows them.
- A signed-in customer claims an anonymous cart (``cart_claim``, at sign-in):
  it is merged into their open cart, which follows them across devices.
- ``CustomerErased``: the customer's orders are anonymized. They keep their
  number, lines, amounts and the destination country (bookkeeping and tax
  need them); they lose the email, the name and the address, and the link to
  the customer. Their open carts go.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from contracts.checkout import CartNotFound
from kernel.transactions import atomic_for
from modules.checkout.models import Cart, CartLine, CheckoutAttempt, Order
from modules.checkout.services.carts import cart_for_update

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


@dataclass(frozen=True, slots=True)
class CartClaim:
    cart: Cart
    dropped: tuple[str, ...]  # SKUs left out: the merged cart had no room for another line


def cart_claim(*, token: str, customer_id: int) -> CartClaim:
    """Make the cart ``token`` the signed-in customer's: merged into their open cart, or adopted if they have none.

    Merging sums the quantities of the same SKU, capped at
    ``CHECKOUT_MAX_LINE_QUANTITY``; new SKUs join while the cart has fewer
    than ``CHECKOUT_MAX_CART_LINES`` lines (the rest are ``dropped``); a voucher
    carries over when theirs has none. The merged-in cart is deleted: its token
    then answers 404. Carts of another currency are not merged: the claimed one
    is adopted and becomes their newest. Claiming their own cart changes nothing.
    """
    with atomic_for(Cart):
        claimed = cart_for_update(token=token)
        if claimed.customer_id is not None and claimed.customer_id != customer_id:
            raise CartNotFound()
        target = (
            Cart.objects.select_for_update()
            .filter(customer_id=customer_id, status=Cart.Status.OPEN, currency=claimed.currency)
            .exclude(pk=claimed.pk)
            .order_by("-updated_at", "-id")
            .first()
        )
        if target is None:
            claimed.customer_id = customer_id
            claimed.save(update_fields=["customer_id", "updated_at"])
            return CartClaim(cart=claimed, dropped=())
        lines = {line.sku: line for line in target.lines.all()}
        dropped = []
        for line in claimed.lines.all():
            if line.sku in lines:
                mine = lines[line.sku]
                mine.quantity = min(mine.quantity + line.quantity, settings.CHECKOUT_MAX_LINE_QUANTITY)
                mine.save(update_fields=["quantity"])
            elif len(lines) < settings.CHECKOUT_MAX_CART_LINES:
                lines[line.sku] = CartLine.objects.create(cart=target, sku=line.sku, quantity=line.quantity)
            else:
                dropped.append(line.sku)
        if target.voucher_code is None and claimed.voucher_code:
            target.voucher_code = claimed.voucher_code
        target.save(update_fields=["voucher_code", "updated_at"])
        claimed.delete()
    return CartClaim(cart=target, dropped=tuple(dropped))
