"""The order lifecycle after it was placed: settle (stock, then money), cancel, fulfil, confirm."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail

from contracts.checkout import OrderCancelled, OrderFulfilled, OrderNotFound
from contracts.container import services
from contracts.events import publish
from contracts.inventory import OutOfStock
from contracts.payments import PaymentSessionUsed
from kernel.transactions import atomic_for
from modules.checkout.errors import InvalidTransition
from modules.checkout.models import Order
from modules.checkout.selectors import order_document, order_get
from modules.checkout.tokens import access_token_new

logger = logging.getLogger(__name__)

_CANCELLABLE = (Order.Status.PLACED, Order.Status.PAID)


def order_with_lines(*, pk: int) -> Order:
    """Read the order ``pk`` again, with its lines."""
    return Order.objects.prefetch_related("lines").get(pk=pk)


def order_access_token_renew(*, order: Order) -> str:
    """Give ``order`` a new access token and return it: the stored hash cannot give the old one back.

    Only for an answer that must carry a token but was not the one that
    created the order (a resumed attempt finding its order placed).
    """
    token, token_hash = access_token_new()
    Order.objects.filter(pk=order.pk).update(access_token_hash=token_hash)
    return token


def compensate(undo: list[Callable[[], None]]) -> bool:
    """Run the undo steps, last first, each even if another fails; return whether all succeeded."""
    complete = True
    for step in reversed(undo):
        try:
            step()
        except Exception:
            logger.exception("compensation step failed; it is retried later")
            complete = False
    return complete


def order_settle(*, number: str) -> Order:
    """Commit the stock of a placed order, then capture its payment; idempotent (the OrderPlaced subscriber).

    The stock is committed first: money is only taken for goods the shop
    holds. If the stock is gone for good (its hold expired and it was sold),
    the order is cancelled, which cancels the payment and gives the voucher back.
    Payments makes capture and cancel exclude each other; an order cancelled
    while its capture went through has the money refunded.
    """
    order = Order.objects.filter(number=number).first()
    if order is None:
        raise OrderNotFound()
    if order.status != Order.Status.PLACED:
        return order
    try:
        services().inventory.reservation_commit(reference=number, order_number=number)
    except OutOfStock:
        logger.error("stock of %s is gone; the order is cancelled", number)
        return order_cancel(number=number)
    if not Order.objects.filter(pk=order.pk, status=Order.Status.PLACED).exists():
        return order_get(number=number)  # cancelled meanwhile: its payment is cancelled, not captured
    try:
        services().payments.payment_capture(order_number=number)
    except PaymentSessionUsed:
        # Cancelled meanwhile (or the provider let the authorization go): nothing was taken.
        current = order_get(number=number)
        if current.status == Order.Status.CANCELLED:
            return current
        raise  # placed with a payment that cannot be captured: the bus retries, then dead-letters it
    with atomic_for(Order):
        # Locked, so a parallel settle or cancel is seen as it is, never guessed.
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == Order.Status.PLACED:
            order.status = Order.Status.PAID
            order.save(update_fields=["status", "updated_at"])
    if order.status == Order.Status.CANCELLED:
        services().payments.payment_release(order_number=number)  # cancelled while we captured: refund what we took
    return order


def order_cancel(*, number: str) -> Order:
    """Cancel an order not yet fulfilled; return its stock, release its voucher, cancel or refund its payment.

    The steps run here, outside our transaction, and again in the
    OrderCancelled subscribers (checkout's own reverses the payment), so a
    step that fails now is retried by the event bus.
    """
    with atomic_for(Order):
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise OrderNotFound()
        if order.status not in _CANCELLABLE:
            raise InvalidTransition(f"An order that is {order.status} cannot be cancelled.", order_status=order.status)
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status", "updated_at"])
        publish(OrderCancelled(order_number=number, voucher_code=order.voucher_code))
    compensate(
        [
            lambda: services().inventory.order_stock_return(order_number=number),
            lambda: services().inventory.reservation_release(reference=number),
            lambda: services().pricing.voucher_release(reference=number),
            lambda: services().payments.payment_release(order_number=number),
        ]
    )
    return order_with_lines(pk=order.pk)


def order_fulfil(*, number: str) -> Order:
    """Mark a paid order fulfilled."""
    with atomic_for(Order):
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise OrderNotFound()
        if order.status != Order.Status.PAID:
            raise InvalidTransition(f"Only a paid order can be fulfilled; this one is {order.status}.", order_status=order.status)
        order.status = Order.Status.FULFILLED
        order.save(update_fields=["status", "updated_at"])
        publish(OrderFulfilled(order_number=number))
    return order_with_lines(pk=order.pk)


def order_payment_reverse(*, number: str) -> None:
    """Cancel or refund the payment of a cancelled order; idempotent (the OrderCancelled subscriber)."""
    if Order.objects.filter(number=number, status=Order.Status.CANCELLED).exists():
        services().payments.payment_release(order_number=number)


def order_confirmation_send(*, number: str) -> None:
    """Email the order confirmation through Django's email framework (the OrderPlaced subscriber)."""
    order = order_get(number=number)
    document = order_document(order=order)
    lines = "\n".join(f"  {l['quantity']} × {l['name']} ({l['sku']}): {l['total']} {order.currency}" for l in document["lines"])
    send_mail(
        subject=f"Your order {order.number}",
        message=f"Thank you for your order {order.number}.\n\n{lines}\n\nTotal: {document['total']} {order.currency}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[order.email],
    )
