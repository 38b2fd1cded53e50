"""Writes of checkout: carts, completing a cart exactly once, and the order lifecycle.

Completing a cart crosses every module through its contract, in this order:
validate → quote (pricing) → reserve (inventory) → redeem voucher (pricing)
→ authorize payment (gateway) → create the order and publish OrderPlaced
(one transaction) → commit the reservation → capture the payment.
Each step before the order is undone if a later one fails. No step holds a
database lock of ours while another module or the gateway is called. Every
step is keyed by the order number chosen when the Idempotency-Key is first
seen, so a retry resumes the same attempt and every undo is idempotent.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, router, transaction
from django.utils import timezone

from contracts.checkout import (
    CartCompleted,
    CheckoutIncomplete,
    IdempotencyKeyReused,
    InvalidTransition,
    ItemsUnavailable,
    OrderCancelled,
    OrderFulfilled,
    OrderLine as OrderLineData,
    OrderNotFound,
    OrderPlaced,
    PaymentDeclined,
    PaymentGatewayFailed,
    RequestInProgress,
)
from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import Conflict, ContractError, FieldProblem, InvalidInput, ServiceUnavailable
from contracts.events import publish
from contracts.inventory import OutOfStock
from contracts.pricing import Quote, VoucherInvalid
from kernel.problems import contract_error_document, contract_error_status
from modules.checkout.models import Cart, CartLine, CheckoutAttempt, Order, OrderLine, Payment
from modules.checkout.payments import GatewayDeclined, GatewayError, gateway_get
from modules.checkout.selectors import cart_get, order_document, order_get, variant_display_name

logger = logging.getLogger(__name__)

# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out on the phone.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def order_number_new() -> str:
    """Return a fresh order number: "CO-" and 10 random characters (50 bits), never one in use."""
    while True:
        number = "CO-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(10))
        if not Order.objects.filter(number=number).exists():
            return number


def _atomic() -> transaction.Atomic:
    """A transaction on the database checkout lives in (its own, when it has one)."""
    return transaction.atomic(using=router.db_for_write(Order))


def _cart_for_update(*, token: str) -> Cart:
    cart = Cart.objects.select_for_update().filter(token=token).first()
    if cart is None:
        cart_get(token=token)  # raises CartNotFound
    if cart.status == Cart.Status.COMPLETED:
        raise CartCompleted()
    return cart


def _quantity_check(*, quantity: int, field: str = "quantity", allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= settings.CHECKOUT_MAX_LINE_QUANTITY:
        raise InvalidInput(
            f"Quantity must be a whole number from {low} to {settings.CHECKOUT_MAX_LINE_QUANTITY}.",
            errors=(FieldProblem(field=field, code="invalid_quantity", detail="out of range"),),
        )


def cart_create(*, currency: str, customer_id: int | None = None) -> Cart:
    """Create an empty cart addressed by an unguessable token (256 random bits)."""
    if currency not in settings.SHOP_CURRENCIES:
        raise InvalidInput(
            f"The shop does not sell in {currency!r}; it sells in {', '.join(settings.SHOP_CURRENCIES)}.",
            code="unknown_currency",
            errors=(FieldProblem(field="currency", code="unknown_currency", detail="not sold in this shop"),),
        )
    return Cart.objects.create(token=secrets.token_urlsafe(32), currency=currency, customer_id=customer_id)


def _sku_sellable_check(*, sku: str, currency: str) -> None:
    variant = services().catalog.variants_get(skus=[sku]).get(sku)
    if variant is None:
        raise InvalidInput(
            f"Unknown SKU {sku!r}.", code="unknown_sku", errors=(FieldProblem(field="sku", code="unknown_sku", detail=sku),)
        )
    if not variant.sellable:
        raise ItemsUnavailable(f"{sku} is not for sale.", skus=[sku])
    if sku not in services().pricing.prices_get(skus=[sku], currency=currency):
        raise InvalidInput(
            f"{sku} has no price in {currency}.",
            code="price_not_found",
            errors=(FieldProblem(field="sku", code="price_not_found", detail=sku),),
        )


def cart_line_add(*, token: str, sku: str, quantity: int) -> Cart:
    """Add ``quantity`` of ``sku``; a line of that SKU grows, within the per-line maximum."""
    _quantity_check(quantity=quantity)
    currency = cart_get(token=token).currency
    _sku_sellable_check(sku=sku, currency=currency)  # outside our transaction: no lock held across modules
    with _atomic():
        cart = _cart_for_update(token=token)
        line = cart.lines.filter(sku=sku).first()
        if line is None:
            if cart.lines.count() >= settings.CHECKOUT_MAX_CART_LINES:
                raise InvalidInput(
                    f"A cart holds at most {settings.CHECKOUT_MAX_CART_LINES} lines.", code="too_many_lines"
                )
            CartLine.objects.create(cart=cart, sku=sku, quantity=quantity)
        else:
            _quantity_check(quantity=line.quantity + quantity)
            line.quantity += quantity
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return cart_get(token=token)


def cart_line_set(*, token: str, sku: str, quantity: int) -> Cart:
    """Set the quantity of the line of ``sku``; 0 removes it."""
    _quantity_check(quantity=quantity, allow_zero=True)
    with _atomic():
        cart = _cart_for_update(token=token)
        line = cart.lines.filter(sku=sku).first()
        if line is None:
            raise InvalidInput(f"The cart has no line for {sku!r}.", code="line_not_found")
        if quantity == 0:
            line.delete()
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return cart_get(token=token)


def cart_line_remove(*, token: str, sku: str) -> Cart:
    return cart_line_set(token=token, sku=sku, quantity=0)


def cart_voucher_apply(*, token: str, code: str) -> Cart:
    """Attach a voucher after pricing accepted it for this cart; ``VoucherInvalid`` otherwise."""
    code = code.strip().upper()
    if not code or len(code) > Cart._meta.get_field("voucher_code").max_length:
        raise VoucherInvalid(reason="unknown")  # upper-casing can lengthen a code ("ß" → "SS")
    cart = cart_get(token=token)
    if cart.status == Cart.Status.COMPLETED:
        raise CartCompleted()
    lines = [SkuQuantity(sku=line.sku, quantity=line.quantity) for line in cart.lines.all()]
    if lines:
        services().pricing.quote_create(currency=cart.currency, lines=lines, voucher_code=code)
    with _atomic():
        cart = _cart_for_update(token=token)
        cart.voucher_code = code
        cart.save(update_fields=["voucher_code", "updated_at"])
    return cart_get(token=token)


def cart_voucher_remove(*, token: str) -> Cart:
    with _atomic():
        cart = _cart_for_update(token=token)
        cart.voucher_code = None
        cart.save(update_fields=["voucher_code", "updated_at"])
    return cart_get(token=token)


# --- Completing a cart -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteRequest:
    email: str
    shipping_address: dict[str, str]
    payment_token: str | None
    fingerprint: str  # hash of the canonical request body


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteResult:
    status: int
    body: dict[str, Any]
    replayed: bool


def _attempt_lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.CHECKOUT_ATTEMPT_LEASE_SECONDS)


def _attempt_claim(*, cart_token: str, key: str, fingerprint: str) -> tuple[CheckoutAttempt, str]:
    """Take the attempt for this key; say whether it is ``new``, ``resumed`` (its request died) or to ``replay``.

    Raises ``IdempotencyKeyReused`` for another body and ``RequestInProgress``
    while the first request still holds the attempt's lease.
    """
    now = timezone.now()
    with _atomic():
        attempt = CheckoutAttempt.objects.select_for_update().filter(cart_token=cart_token, key=key).first()
        if attempt is None:
            attempt = CheckoutAttempt.objects.create(
                cart_token=cart_token,
                key=key,
                fingerprint=fingerprint,
                order_number=order_number_new(),
                owner=secrets.token_hex(8),
                locked_until=_attempt_lease_end(now),
            )
            return attempt, "new"
        if attempt.fingerprint != fingerprint:
            raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request body.")
        if attempt.state == CheckoutAttempt.State.DONE:
            return attempt, "replay"
        if attempt.locked_until > now:
            raise RequestInProgress("A request with this Idempotency-Key is still being processed; retry shortly.")
        attempt.owner = secrets.token_hex(8)
        attempt.locked_until = _attempt_lease_end(now)
        attempt.save(update_fields=["owner", "locked_until"])
        return attempt, "resumed"


class _LeaseLost(Exception):
    """Another request took this attempt over (ours stalled past its lease); it carries on, we stop."""


def _attempt_mine(attempt: CheckoutAttempt):
    return CheckoutAttempt.objects.filter(pk=attempt.pk, owner=attempt.owner)


def _attempt_renew(attempt: CheckoutAttempt) -> None:
    """Extend the lease before each slow step, so a retry never takes over a request that is still running."""
    if not _attempt_mine(attempt).update(locked_until=_attempt_lease_end(timezone.now())):
        raise _LeaseLost()


def checkout_complete(*, cart_token: str, key: str, request: CompleteRequest, customer_id: int | None = None) -> CompleteResult:
    """Turn the cart into an order exactly once per Idempotency-Key; see the module docstring for the steps.

    A contract failure (out of stock, declined, invalid voucher...) is final:
    its response is stored and replayed for the same key. A failure that may
    pass (a module or the gateway unavailable, a bug) frees the key for a
    retry once everything done so far is undone; if an undo fails too, the
    attempt is kept for the retry or ``checkout_attempts_abandon`` to finish.
    """
    cart_get(token=cart_token)  # unknown carts are a plain 404, and claim nothing
    try:
        attempt, how = _attempt_claim(cart_token=cart_token, key=key, fingerprint=request.fingerprint)
    except IntegrityError:  # a concurrent first request with the same key won the insert
        attempt, how = _attempt_claim(cart_token=cart_token, key=key, fingerprint=request.fingerprint)
    if how == "replay":
        return CompleteResult(status=attempt.response_status, body=attempt.response_body, replayed=True)
    try:
        order = _attempt_run(attempt=attempt, request=request, customer_id=customer_id, resumed=how == "resumed")
    except _LeaseLost:
        raise RequestInProgress("Another request with this Idempotency-Key took over; retry shortly.") from None
    except _StepsLeftBehind as left:
        # Not a final answer: the retry (or the abandon task) finishes the undo, then answers for good.
        _attempt_mine(attempt).update(locked_until=timezone.now())
        raise CheckoutIncomplete(
            f"Completing failed ({getattr(left.cause, 'code', type(left.cause).__name__)}) and is still being "
            "undone; retry with the same Idempotency-Key."
        ) from None
    except ContractError as error:
        if isinstance(error, ServiceUnavailable):
            _attempt_release(attempt)
            raise
        status, body = contract_error_status(error), contract_error_document(error)
    except Exception:
        _attempt_release(attempt)
        raise
    else:
        status, body = 201, order_document(order=order, include_access_token=True)
    try:
        _attempt_finish(attempt=attempt, status=status, body=body)
    except _LeaseLost:
        raise RequestInProgress("Another request with this Idempotency-Key took over; retry shortly.") from None
    return CompleteResult(status=status, body=body, replayed=False)


def _attempt_finish(*, attempt: CheckoutAttempt, status: int, body: dict[str, Any]) -> None:
    """Store the final answer; ``_LeaseLost`` if another request took the attempt over meanwhile."""
    if not _attempt_mine(attempt).update(state=CheckoutAttempt.State.DONE, response_status=status, response_body=body):
        raise _LeaseLost()


def _attempt_release(attempt: CheckoutAttempt) -> None:
    """After a failure that may pass: free the key, unless its order exists (then the retry must find it)."""
    if Order.objects.filter(number=attempt.order_number, cart_token=attempt.cart_token).exists():
        _attempt_mine(attempt).update(locked_until=timezone.now())
    else:
        _attempt_mine(attempt).delete()


def _attempt_run(*, attempt: CheckoutAttempt, request: CompleteRequest, customer_id: int | None, resumed: bool) -> Order:
    number = attempt.order_number
    order = Order.objects.filter(number=number, cart_token=attempt.cart_token).first()
    if order is None:
        order = _order_place(attempt=attempt, request=request, customer_id=customer_id, resumed=resumed)
    try:
        order_settle(number=number)
    except Exception:
        # The order stands; checkout's OrderPlaced subscriber settles it, with the bus's retries.
        logger.exception("settling %s deferred to the OrderPlaced subscriber", number)
    return Order.objects.prefetch_related("lines").get(pk=order.pk)


def _order_place(*, attempt: CheckoutAttempt, request: CompleteRequest, customer_id: int | None, resumed: bool) -> Order:
    """Quote, reserve, redeem, authorize and create the order; on any failure undo what this attempt did."""
    number, cart_token = attempt.order_number, attempt.cart_token
    # A resumed attempt may have reserved, redeemed or authorized in its dead run: undo by number then too.
    acted = resumed
    try:
        cart = cart_get(token=cart_token)
        if cart.status == Cart.Status.COMPLETED:
            raise CartCompleted()
        lines = [SkuQuantity(sku=line.sku, quantity=line.quantity) for line in cart.lines.all()]
        if not lines:
            raise InvalidInput("The cart is empty.", code="cart_empty")
        for line in lines:
            _quantity_check(quantity=line.quantity, field=f"lines.{line.sku}.quantity")
        variants = services().catalog.variants_get(skus=[line.sku for line in lines])
        unavailable = [line.sku for line in lines if line.sku not in variants or not variants[line.sku].sellable]
        if unavailable:
            raise ItemsUnavailable("Some items are no longer for sale: " + ", ".join(unavailable), skus=unavailable)
        quote = services().pricing.quote_create(
            currency=cart.currency, lines=lines, voucher_code=cart.voucher_code, email=request.email
        )
        acted = True  # from here on, a call may have taken effect even if it failed on the way back
        _attempt_renew(attempt)
        if resumed:
            # The dead run may have held other lines, or used a voucher the cart no longer has.
            services().inventory.reservation_release(reference=number)
            services().pricing.voucher_release(reference=number)
        services().inventory.reservation_create(reference=number, lines=lines)
        if quote.voucher_code:
            _attempt_renew(attempt)
            services().pricing.voucher_redeem(
                code=quote.voucher_code, reference=number, email=request.email, currency=quote.currency, subtotal=quote.subtotal
            )
        _attempt_renew(attempt)
        payment = _payment_authorize(number=number, quote=quote, token=request.payment_token)
        _attempt_renew(attempt)
        if payment.status != Payment.Status.AUTHORIZED or payment.amount != quote.total:
            raise PaymentGatewayFailed("The payment changed while it was being authorized; nothing was charged.")
        names = {
            sku: variant_display_name(product_name=v.product_name, variant_name=v.variant_name) for sku, v in variants.items()
        }
        return _order_create(attempt=attempt, quote=quote, names=names, request=request, customer_id=customer_id)
    except Exception as error:
        # A crash (the process dying: not an Exception) leaves the steps for the retry to resume.
        if isinstance(error, _LeaseLost):
            raise  # the request that took over owns the steps now
        placed = Order.objects.filter(number=number, cart_token=cart_token).first()
        if placed is not None:
            return placed  # a parallel run of this same attempt placed the order: nothing to undo
        _attempt_renew(attempt)  # ``_LeaseLost`` if taken over: then the undo is the new owner's, not ours
        if acted and not _attempt_undo(number=number):
            raise _StepsLeftBehind(error) from error
        raise


class _StepsLeftBehind(Exception):
    """Placing failed with ``cause`` and not every earlier step could be undone."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _attempt_undo(*, number: str) -> bool:
    """Void the payment, give back the voucher use and the hold of ``number``; each idempotent. Return success."""
    return _compensate(
        [
            lambda: services().inventory.reservation_release(reference=number),
            lambda: services().pricing.voucher_release(reference=number),
            lambda: _payment_reverse(number=number),
        ]
    )


def _compensate(undo: list[Callable[[], None]]) -> bool:
    """Run the undo steps, last first, each even if another fails; return whether all succeeded."""
    complete = True
    for step in reversed(undo):
        try:
            step()
        except Exception:
            logger.exception("compensation step failed; it is retried later")
            complete = False
    return complete


def _payment_authorize(*, number: str, quote: Quote, token: str | None) -> Payment:
    """Authorize ``quote.total``, or keep an earlier authorization of exactly that amount.

    The payment row is written before the gateway is called, so an undo
    knows to look for it even when the answer never came back.
    """
    payment = Payment.objects.filter(order_number=number).first()
    generation = 1
    if payment is not None:
        same_amount = (payment.amount, payment.currency) == (quote.total, quote.currency)
        if payment.status in (Payment.Status.AUTHORIZED, Payment.Status.CAPTURED) and same_amount:
            return payment
        if payment.status == Payment.Status.AUTHORIZED:
            _payment_void(payment=payment)  # the prices changed since the run that authorized it
            payment.refresh_from_db()
        if payment.status == Payment.Status.PENDING and same_amount:
            # Ask again under the same key: the gateway answers with whatever it did the first time.
            generation = payment.generation
        else:
            if payment.status == Payment.Status.PENDING:
                logger.warning("payment %s had no answer for key %s; reconcile it", number, payment.authorize_key)
            generation = payment.generation + 1  # a voided or refused authorization must never come back
    gateway = gateway_get()
    key = f"{number}:authorize:{generation}"
    pending = {
        "gateway": gateway.name,
        "authorize_key": key,
        "generation": generation,
        "intent_id": "",
        "amount": quote.total,
        "currency": quote.currency,
        "status": Payment.Status.PENDING,
    }
    if payment is None:
        try:
            with _atomic():
                payment = Payment.objects.create(order_number=number, **pending)
        except IntegrityError:  # a parallel run of this attempt got here first: follow its payment
            return Payment.objects.get(order_number=number)
    else:
        Payment.objects.filter(pk=payment.pk).update(**pending)
    try:
        intent_id = gateway.authorize(key=key, amount=quote.total, currency=quote.currency, token=token)
    except GatewayDeclined as error:
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(status=Payment.Status.DECLINED)
        raise PaymentDeclined(f"The payment was declined: {error}") from error
    except GatewayError as error:
        raise PaymentGatewayFailed(f"The payment could not be taken: {error}") from error
    # Conditional: a parallel run of this attempt may already have moved on (captured, say).
    recorded = Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING, authorize_key=key).update(
        intent_id=intent_id, status=Payment.Status.AUTHORIZED
    )
    payment.refresh_from_db()
    live = payment.authorize_key == key and payment.status in (Payment.Status.AUTHORIZED, Payment.Status.CAPTURED)
    if not recorded and not live:
        # Our answer came too late: the attempt gave this authorization up or moved on, so nobody tracks it.
        gateway.void(key=f"{key}:void", intent_id=intent_id)
    return payment


def _payment_void(*, payment: Payment) -> None:
    gateway_get().void(key=f"{payment.authorize_key}:void", intent_id=payment.intent_id)
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.AUTHORIZED).update(status=Payment.Status.VOIDED)


def _payment_reverse(*, number: str) -> None:
    """Give back whatever the payment of ``number`` holds: void an authorization, refund a capture.

    Each change of state is conditional: if a settle captured meanwhile,
    the loop sees the capture and refunds it.
    """
    for _ in range(3):
        payment = Payment.objects.filter(order_number=number).first()
        if payment is None:
            return
        if payment.status == Payment.Status.AUTHORIZED:
            gateway_get().void(key=f"{payment.authorize_key}:void", intent_id=payment.intent_id)
            moved = Payment.objects.filter(pk=payment.pk, status=Payment.Status.AUTHORIZED).update(status=Payment.Status.VOIDED)
        elif payment.status == Payment.Status.CAPTURED:
            gateway_get().refund(key=f"{payment.authorize_key}:refund", intent_id=payment.intent_id, amount=payment.amount)
            moved = Payment.objects.filter(pk=payment.pk, status=Payment.Status.CAPTURED).update(status=Payment.Status.REFUNDED)
        elif payment.status == Payment.Status.PENDING:
            # The gateway never answered: nothing is known to be held. A real gateway's
            # reconciliation looks the outcome up by ``authorize_key``.
            logger.warning("payment of %s had no answer from the gateway; reconcile by key %s", number, payment.authorize_key)
            moved = Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(status=Payment.Status.FAILED)
        else:
            return  # declined, voided, refunded or failed: nothing is held
        if moved:
            return
    raise RuntimeError(f"the payment of {number} kept changing while it was being given back; retried later")


class CartChanged(Conflict):
    """The cart changed while it was being completed; nothing was charged. Review it and complete again."""

    code = "cart_changed"


def _order_create(
    *,
    attempt: CheckoutAttempt,
    quote: Quote,
    names: dict[str, str],
    request: CompleteRequest,
    customer_id: int | None,
) -> Order:
    """Create the order with frozen lines and publish ``OrderPlaced`` in one transaction.

    Fenced: the attempt row is locked and must still be ours, so a takeover
    (a retry, the abandon task) either waits for this order or finds it gone.
    """
    number, cart_token = attempt.order_number, attempt.cart_token
    places = max(-quote.subtotal.as_tuple().exponent, 0)
    with _atomic():
        if not _attempt_mine(attempt).select_for_update().exists():
            raise _LeaseLost()
        cart = _cart_for_update(token=cart_token)
        if {line.sku: line.quantity for line in cart.lines.all()} != {line.sku: line.quantity for line in quote.lines}:
            raise CartChanged()
        order = Order.objects.create(
            number=number,
            access_token=secrets.token_urlsafe(32),
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
        )
        frozen = [
            OrderLineData(
                sku=line.sku,
                name=names.get(line.sku, line.sku),
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.total,
            )
            for line in quote.lines
        ]
        OrderLine.objects.bulk_create(
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
    return order


def order_settle(*, number: str) -> Order:
    """Commit the stock of a placed order, then capture its payment; idempotent.

    The stock is committed first: money is only taken for goods the shop
    holds. If the stock is gone for good (its hold expired and it was sold),
    the order is cancelled, which voids the payment and gives the voucher back.
    """
    order = order_get(number=number)
    if order.status != Order.Status.PLACED:
        return order
    try:
        services().inventory.reservation_commit(reference=number, order_number=number)
    except OutOfStock:
        logger.error("stock of %s is gone; the order is cancelled", number)
        return order_cancel(number=number)
    payment = Payment.objects.filter(order_number=number).first()
    if payment is None or payment.status == Payment.Status.CAPTURED:
        return order
    if payment.status != Payment.Status.AUTHORIZED:
        # Placed without a live authorization: never expected; fail loudly so the bus retries and dead-letters.
        raise RuntimeError(f"order {number} is placed but its payment is {payment.status}")
    if not Order.objects.filter(pk=order.pk, status=Order.Status.PLACED).exists():
        return order_get(number=number)  # cancelled meanwhile: void, do not capture
    gateway_get().capture(key=f"{payment.authorize_key}:capture", intent_id=payment.intent_id)
    with _atomic():
        # Locked, so a parallel settle or cancel is seen as it is, never guessed.
        order = Order.objects.select_for_update().get(pk=order.pk)
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        voided_meanwhile = current.status == Payment.Status.VOIDED
        if current.status == Payment.Status.AUTHORIZED:
            current.status = Payment.Status.CAPTURED
            current.save(update_fields=["status", "updated_at"])
            if order.status == Order.Status.PLACED:
                order.status = Order.Status.PAID
                order.save(update_fields=["status", "updated_at"])
    if voided_meanwhile:  # a cancel voided it while the capture went through: the money goes back
        gateway_get().refund(key=f"{payment.authorize_key}:refund", intent_id=payment.intent_id, amount=payment.amount)
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.VOIDED).update(status=Payment.Status.REFUNDED)
    elif order.status == Order.Status.CANCELLED:
        _payment_reverse(number=number)  # cancelled while we captured: refund what we just took
    return order


# --- Order lifecycle -------------------------------------------------------------

_CANCELLABLE = (Order.Status.PLACED, Order.Status.PAID)


def order_cancel(*, number: str) -> Order:
    """Cancel an order not yet fulfilled; return its stock, release its voucher, void or refund its payment.

    The steps run here, outside our transaction, and again in the
    OrderCancelled subscribers (checkout's own reverses the payment), so a
    step that fails now is retried by the event bus.
    """
    with _atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise OrderNotFound()
        if order.status not in _CANCELLABLE:
            raise InvalidTransition(f"An order that is {order.status} cannot be cancelled.", order_status=order.status)
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status", "updated_at"])
        publish(OrderCancelled(order_number=number, voucher_code=order.voucher_code))
    _compensate(
        [
            lambda: services().inventory.order_stock_return(order_number=number),
            lambda: services().inventory.reservation_release(reference=number),
            lambda: services().pricing.voucher_release(reference=number),
            lambda: _payment_reverse(number=number),
        ]
    )
    return Order.objects.prefetch_related("lines").get(pk=order.pk)


def order_fulfil(*, number: str) -> Order:
    """Mark a paid order fulfilled."""
    with _atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise OrderNotFound()
        if order.status != Order.Status.PAID:
            raise InvalidTransition(f"Only a paid order can be fulfilled; this one is {order.status}.", order_status=order.status)
        order.status = Order.Status.FULFILLED
        order.save(update_fields=["status", "updated_at"])
        publish(OrderFulfilled(order_number=number))
    return Order.objects.prefetch_related("lines").get(pk=order.pk)


def order_payment_reverse(*, number: str) -> None:
    """Void or refund the payment of a cancelled order; idempotent (the OrderCancelled subscriber)."""
    if Order.objects.filter(number=number, status=Order.Status.CANCELLED).exists():
        _payment_reverse(number=number)


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


def carts_purge(*, now: datetime | None = None) -> int:
    """Delete open carts untouched for longer than the configured age."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHECKOUT_CART_MAX_AGE_DAYS)
    deleted, _ = Cart.objects.filter(status=Cart.Status.OPEN, updated_at__lt=cutoff).delete()
    return deleted


def checkout_attempts_abandon(*, now: datetime | None = None) -> int:
    """Finish attempts whose request died and that no retry resumed; return how many.

    An attempt is abandoned once its lease has been over for as long as a
    reservation lives. If its order exists, the order is settled and the
    attempt's response stored, so a late retry replays it; if not, the hold,
    the voucher use and the payment are undone by number. Each attempt is
    taken over (its lease renewed) first, so a late retry finds it busy
    instead of racing the clean-up.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS)
    finished = 0
    stale = CheckoutAttempt.objects.filter(state=CheckoutAttempt.State.IN_PROGRESS, locked_until__lt=cutoff)
    for attempt in stale:
        attempt.owner = secrets.token_hex(8)
        taken = CheckoutAttempt.objects.filter(pk=attempt.pk, locked_until__lt=cutoff).update(
            owner=attempt.owner, locked_until=_attempt_lease_end(now)
        )
        if not taken:
            continue  # a retry resumed it meanwhile
        order = Order.objects.filter(number=attempt.order_number, cart_token=attempt.cart_token).first()
        if order is not None:
            try:
                order_settle(number=order.number)
            except Exception:
                logger.exception("settling %s failed; the OrderPlaced subscriber retries it", order.number)
            order = Order.objects.prefetch_related("lines").get(pk=order.pk)
            try:
                _attempt_finish(attempt=attempt, status=201, body=order_document(order=order, include_access_token=True))
            except _LeaseLost:
                continue
            finished += 1
        elif _attempt_undo(number=attempt.order_number) and _attempt_mine(attempt).delete()[0]:
            finished += 1
    return finished


def checkout_attempts_purge(*, now: datetime | None = None) -> int:
    """Forget finished Idempotency-Keys older than the configured time; their orders stay."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.CHECKOUT_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = CheckoutAttempt.objects.filter(state=CheckoutAttempt.State.DONE, created_at__lt=cutoff).delete()
    return deleted
