"""Placing the order of one attempt: plan it, attach the payment, reserve, create it; or undo what was done.

Each step is keyed by the attempt's order number, so a retry resumes the same
attempt and every undo is idempotent. ``order_place`` is the saga the
completion drives (``completion.py``); ``attempt_order_create`` is its last
step, the one transaction that creates the order, publishes OrderPlaced and
stores the answer.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from contracts.checkout import OrderLine as OrderLineData
from contracts.checkout import OrderPlaced
from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import ContractError, InvalidInput, ServiceUnavailable
from contracts.events import publish
from contracts.payments import PaymentActionRequired, PaymentNotAuthorized
from contracts.pricing import Quote
from kernel.transactions import atomic_for
from modules.checkout.errors import (
    CartChanged,
    CartCompleted,
    ItemsUnavailable,
)
from modules.checkout.models import Cart, CheckoutAttempt, Order, OrderLine
from modules.checkout.selectors import cart_get, order_document, variant_display_name
from modules.checkout.services.attempts import (
    LeaseLost,
    attempt_finish,
    attempt_owned,
    attempt_renew,
    order_of_attempt,
)
from modules.checkout.services.carts import cart_for_update, quantity_check
from modules.checkout.services.orders import compensate, order_access_token_renew, order_with_lines
from modules.checkout.tokens import access_token_new

logger = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteRequest:
    email: str
    shipping_address: dict[str, str]
    payment_session: str | None  # the payment session the storefront paid into (payments)
    fingerprint: str  # hash of the canonical request body
    # Without a session: a payment method to pay with at once (server-side confirmation; the former request shape).
    payment_method: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPlan:
    """What the order will be: the cart's lines, their display names, and pricing's quote for them."""

    lines: list[SkuQuantity]
    names: dict[str, str]
    quote: Quote


class StepsLeftBehind(Exception):
    """Placing failed with ``cause`` and not every earlier step could be undone."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def order_plan(*, cart: Cart, email: str | None) -> OrderPlan:
    """Check the cart can be ordered and price it; reads only (catalog and pricing)."""
    if cart.status == Cart.Status.COMPLETED:
        raise CartCompleted()
    lines = [SkuQuantity(sku=line.sku, quantity=line.quantity) for line in cart.lines.all()]
    if not lines:
        raise InvalidInput("The cart is empty.", code="cart_empty")
    for line in lines:
        quantity_check(quantity=line.quantity, field=f"lines.{line.sku}.quantity")
    variants = services().catalog.variants_get(skus=[line.sku for line in lines])
    unavailable = [line.sku for line in lines if line.sku not in variants or not variants[line.sku].sellable]
    if unavailable:
        raise ItemsUnavailable("Some items are no longer for sale: " + ", ".join(unavailable), skus=unavailable)
    quote = services().pricing.quote_create(currency=cart.currency, lines=lines, voucher_code=cart.voucher_code, email=email)
    names = {sku: variant_display_name(product_name=v.product_name, variant_name=v.variant_name) for sku, v in variants.items()}
    return OrderPlan(lines=lines, names=names, quote=quote)


def order_place(
    *,
    attempt: CheckoutAttempt,
    request: CompleteRequest,
    customer_id: int | None,
    resumed: bool,
    plan: OrderPlan | None,
) -> dict[str, Any]:
    """Attach the payment, reserve, redeem and create the order; on any failure undo what this attempt did.

    Return the answer.
    """
    number = attempt.order_number
    if resumed and (placed := order_of_attempt(attempt)) is not None:
        return _attempt_answer_order(attempt=attempt, order=placed)
    # A resumed attempt may have attached, reserved or redeemed in its dead run: undo by number then too.
    acted = resumed
    try:
        if plan is None:
            plan = order_plan(cart=cart_get(token=attempt.cart_token), email=request.email)
        quote = plan.quote
        acted = True  # from here on, a call may have taken effect even if it failed on the way back
        attempt_renew(attempt)
        session_id = request.payment_session
        if session_id is None:
            # Pay with a method at once: one session per cart, key and amount, so a retry pays into the same one
            # (and one after a price change into a new one; payments lets the former go).
            session_id = services().payments.session_create(
                reference=attempt.cart_token,
                amount=quote.total,
                currency=quote.currency,
                payment_method=request.payment_method or "",
                key=f"checkout:{_key_digest(attempt)}:{quote.total}{quote.currency}",
            ).id
        services().payments.session_attach(
            session_id=session_id, reference=attempt.cart_token, order_number=number, amount=quote.total, currency=quote.currency
        )
        attempt_renew(attempt)
        if resumed:
            # The dead run may have held other lines, or used a voucher the cart no longer has.
            services().inventory.reservation_release(reference=number)
            services().pricing.voucher_release(reference=number)
        services().inventory.reservation_create(reference=number, lines=plan.lines)
        if quote.voucher_code:
            attempt_renew(attempt)
            services().pricing.voucher_redeem(
                code=quote.voucher_code, reference=number, email=request.email, currency=quote.currency, subtotal=quote.subtotal
            )
        attempt_renew(attempt)
        return attempt_order_create(attempt=attempt, plan=plan, request=request, customer_id=customer_id, session_id=session_id)
    except Exception as error:
        # A crash (the process dying: not an Exception) leaves the steps for the retry to resume.
        if isinstance(error, LeaseLost):
            if not CheckoutAttempt.objects.filter(pk=attempt.pk).exists():
                # Abandoned and undone while we were in a step: undo what we did since (detach, release by number).
                attempt_undo(number=number)
            raise  # else the request that took over owns the steps now
        placed = order_of_attempt(attempt)
        if placed is not None:
            return _attempt_answer_order(attempt=attempt, order=placed)  # a parallel run of this attempt placed it
        attempt_renew(attempt, force=True)  # ``LeaseLost`` if taken over: then the undo is the new owner's, not ours
        final = isinstance(error, ContractError) and not isinstance(
            error, ServiceUnavailable | PaymentActionRequired | PaymentNotAuthorized
        )
        if acted and not attempt_undo(number=number, cancel=final):
            raise StepsLeftBehind(error) from error
        raise


def _key_digest(attempt: CheckoutAttempt) -> str:
    """The cart and Idempotency-Key of ``attempt``, hashed: stable across the attempts of one key, and short."""
    return hashlib.sha256(f"{attempt.cart_token}:{attempt.key}".encode()).hexdigest()


def _attempt_answer_order(*, attempt: CheckoutAttempt, order: Order) -> dict[str, Any]:
    """Answer with an order this attempt placed earlier, and make that the key's final answer."""
    body = order_document(order=order_with_lines(pk=order.pk), access_token=order_access_token_renew(order=order))
    attempt_finish(attempt=attempt, status=201, body=body)
    return body


def attempt_undo(*, number: str, cancel: bool = False) -> bool:
    """Let go of the payment, the voucher use and the hold of ``number``; each idempotent. Return success.

    ``cancel`` cancels the payment's authorization (the answer is final);
    without it the session is only detached, so the cart's retry may use it
    (reconciliation cancels one nobody comes back for).
    """
    return compensate(
        [
            lambda: services().inventory.reservation_release(reference=number),
            lambda: services().pricing.voucher_release(reference=number),
            lambda: services().payments.payment_release(order_number=number, cancel=cancel),
        ]
    )


def attempt_order_create(
    *, attempt: CheckoutAttempt, plan: OrderPlan, request: CompleteRequest, customer_id: int | None, session_id: str = ""
) -> dict[str, Any]:
    """Create the order with frozen lines, publish ``OrderPlaced`` and store the key's answer, in one transaction.

    Fenced: the attempt row is locked and must still be ours, so a takeover
    (a retry, the abandon task) either waits for this order or finds it gone.
    The payment is already attached, so the answer is final here.
    """
    number, cart_token, quote = attempt.order_number, attempt.cart_token, plan.quote
    places = max(-quote.subtotal.as_tuple().exponent, 0)
    token, token_hash = access_token_new()
    with atomic_for(Order):
        if not attempt_owned(attempt).select_for_update().exists():
            raise LeaseLost()
        cart = cart_for_update(token=cart_token)
        if {line.sku: line.quantity for line in cart.lines.all()} != {line.sku: line.quantity for line in quote.lines}:
            raise CartChanged()
        order = Order.objects.create(
            number=number,
            access_token_hash=token_hash,
            email=request.email,
            currency=quote.currency,
            subtotal=quote.subtotal,
            discount_total=quote.discount_total,
            total=quote.total,
            amount_places=places,
            voucher_code=quote.voucher_code,
            shipping_address=request.shipping_address,
            customer_id=customer_id,
            cart_token=cart_token,
            payment_session=session_id,
        )
        frozen = [
            OrderLineData(
                sku=line.sku,
                name=plan.names.get(line.sku, line.sku),
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.total,
            )
            for line in quote.lines
        ]
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order, sku=l.sku, name=l.name, quantity=l.quantity, unit_price=l.unit_price, discount=l.discount, total=l.total
                )
                for l in frozen
            ]
        )
        cart.status = Cart.Status.COMPLETED
        cart.order_number = number
        cart.save(update_fields=["status", "order_number", "updated_at"])
        publish(
            OrderPlaced(
                order_number=number,
                reservation_reference=number,
                email=request.email,
                currency=quote.currency,
                lines=tuple(frozen),
                subtotal=quote.subtotal,
                discount_total=quote.discount_total,
                total=quote.total,
                voucher_code=quote.voucher_code,
            )
        )
        body = order_document(order=order, lines=lines, access_token=token)
        attempt_finish(attempt=attempt, status=201, body=body)
    return body
