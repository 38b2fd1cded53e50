"""Taking and giving back money: capture after the stock is committed, cancel, refund (full or partial).

Each provider call is made between two conditional moves (``authorized →
capturing``, then ``capturing → captured``): a session is never captured and
cancelled at once, and an intermediate status left behind by a lost answer is
finished by the same call again (the provider key is the same) or by
reconciliation. Refunded never exceeds captured: checked under a row lock, and
by a database constraint.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db.models import F

from contracts.errors import Conflict, FieldProblem, InvalidInput
from contracts.events import publish
from contracts.payments import (
    PaymentCanceled,
    PaymentCaptured,
    PaymentProviderUnavailable,
    PaymentRefunded,
    PaymentSessionNotFound,
    PaymentSessionUsed,
)
from kernel.transactions import atomic_for
from modules.payments.models import Payment, Refund
from modules.payments.providers import provider_get
from modules.payments.providers.base import ProviderUnavailable
from modules.payments.services.sessions import OPEN, Status

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


def _move(payment: Payment, source: tuple[str, ...], target: str, **fields: object) -> bool:
    moved = Payment.objects.filter(pk=payment.pk, status__in=source).update(status=target, **fields)
    if moved:
        payment.status = target
        for name, value in fields.items():
            setattr(payment, name, value)
    return bool(moved)


def _unavailable(payment: Payment, error: Exception) -> PaymentProviderUnavailable:
    logger.warning("provider did not answer about %s (left %s): %s", payment.session_id, payment.status, error)
    return PaymentProviderUnavailable("The payment provider did not answer; retried later.")


def _attached(order_number: str) -> Payment:
    payment = Payment.objects.filter(order_number=order_number).first() if isinstance(order_number, str) else None
    if payment is None:
        raise PaymentSessionNotFound(f"No payment session is attached to {order_number}.")
    return payment


def payment_capture(*, order_number: str) -> Payment:
    """Take the money held for ``order_number``; idempotent (a second call finds it captured)."""
    payment = _attached(order_number)
    if payment.status in (Status.CAPTURED, Status.REFUNDED):
        return payment
    if payment.status not in (Status.AUTHORIZED, Status.CAPTURING):
        raise PaymentSessionUsed(f"The payment of {order_number} is {payment.status}; it cannot be captured.")
    if payment.status == Status.AUTHORIZED and not _move(payment, (Status.AUTHORIZED,), Status.CAPTURING):
        payment.refresh_from_db()
        return payment_capture(order_number=order_number) if payment.status == Status.CAPTURING else _captured_or_refused(payment)
    try:
        intent = provider_get().intent_capture(key=f"{payment.session_id}:capture", intent_id=payment.intent_id)
    except ProviderUnavailable as error:
        raise _unavailable(payment, error) from None
    captured = min(intent.amount_received or payment.amount, payment.amount)
    with atomic_for(Payment):
        if _move(payment, (Status.CAPTURING,), Status.CAPTURED, amount_captured=captured):
            publish(PaymentCaptured(session_id=payment.session_id, order_number=order_number, amount=captured, currency=payment.currency))
    payment.refresh_from_db()
    return payment


def _captured_or_refused(payment: Payment) -> Payment:
    if payment.status in (Status.CAPTURED, Status.REFUNDED):
        return payment
    raise PaymentSessionUsed(f"The payment of {payment.order_number} is {payment.status}; it cannot be captured.")


def payment_cancel(*, payment: Payment) -> Payment:
    """Let go of what an authorized session holds (nothing is charged); idempotent."""
    if payment.status in OPEN:
        if not payment.intent_id:
            _move(payment, OPEN, Status.CANCELED)
            return payment
    elif payment.status not in (Status.AUTHORIZED, Status.CANCELING):
        return payment
    source = (*OPEN, Status.AUTHORIZED, Status.CANCELING)
    if not _move(payment, source, Status.CANCELING):
        payment.refresh_from_db()
        return payment
    try:
        provider_get().intent_cancel(key=f"{payment.session_id}:cancel", intent_id=payment.intent_id)
    except ProviderUnavailable as error:
        raise _unavailable(payment, error) from None
    with atomic_for(Payment):
        if _move(payment, (Status.CANCELING,), Status.CANCELED):
            publish(PaymentCanceled(session_id=payment.session_id, order_number=payment.order_number))
    return payment


def payment_release(*, order_number: str, cancel: bool = True) -> None:
    """Stop using the session of ``order_number``: cancel an authorization (or only detach it), refund a capture."""
    payment = Payment.objects.filter(order_number=order_number).first()
    if payment is None:
        return
    if payment.status == Status.CAPTURING:
        # A capture is in flight: finish it, then give the money back.
        payment = payment_capture(order_number=order_number)
    if payment.status == Status.CAPTURED:
        remaining = payment.amount_captured - payment.amount_refunded
        if remaining > 0:
            refund_create(payment=payment, amount=remaining, reason="order not placed or cancelled", actor=SYSTEM_ACTOR, key_suffix="release")
        return
    if not cancel and payment.status == Status.AUTHORIZED:
        Payment.objects.filter(pk=payment.pk, order_number=order_number, status=Status.AUTHORIZED).update(order_number=None)
        return
    payment_cancel(payment=payment)


def refund_create(*, payment: Payment, amount: Decimal | None, reason: str, actor: str, key_suffix: str = "") -> Refund:
    """Refund ``amount`` (all that is left, when None) of what ``payment`` captured; who and why are recorded.

    The refund row is written, under the payment's lock, before the provider is
    asked: a lost answer leaves it ``pending`` and the same key finishes it.
    ``key_suffix`` names a refund that must happen once (``release``); staff
    refunds are numbered.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the payment is refunded.", errors=(FieldProblem(field="reason", code="required", detail="Required."),))
    with atomic_for(Payment):
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        left = locked.amount_captured - locked.amount_refunded
        if key_suffix and (existing := Refund.objects.filter(key=f"{locked.session_id}:refund:{key_suffix}").first()):
            refund = existing
        else:
            if pending := locked.refunds.filter(status="pending").first():
                # Its provider answer was lost: refunding again now could give the money back twice.
                raise Conflict(
                    f"A refund of {pending.amount} {locked.currency} is still waiting for the provider; "
                    "reconciliation finishes it. Try again once it is done.",
                    code="refund_pending",
                )
            if locked.status not in (Status.CAPTURED,) or left <= 0:
                raise Conflict(f"Nothing is left to refund on {locked.session_id} ({locked.status}).", code="nothing_to_refund")
            amount = left if amount is None else amount
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount > left:
                raise InvalidInput(
                    f"A refund is more than 0 and at most {left} {locked.currency}.",
                    errors=(FieldProblem(field="amount", code="invalid", detail=f"At most {left}."),),
                )
            number = locked.refunds.count() + 1
            refund = Refund.objects.create(
                payment=locked, key=f"{locked.session_id}:refund:{key_suffix or number}", amount=amount, reason=reason[:500], actor=actor[:150]
            )
            fully = locked.amount_refunded + amount == locked.amount_captured
            Payment.objects.filter(pk=locked.pk).update(
                amount_refunded=F("amount_refunded") + amount, status=Status.REFUNDED if fully else locked.status
            )
    if refund.status == "succeeded":
        return refund
    try:
        answer = provider_get().refund_create(key=refund.key, intent_id=payment.intent_id, amount=refund.amount)
    except ProviderUnavailable as error:
        raise _unavailable(payment, error) from None
    with atomic_for(Payment):
        if Refund.objects.filter(pk=refund.pk).exclude(status="succeeded").update(provider_refund_id=answer.id, status="succeeded"):
            publish(
                PaymentRefunded(
                    session_id=payment.session_id, order_number=payment.order_number, amount=refund.amount,
                    currency=payment.currency, refund_id=answer.id,
                )
            )
    refund.refresh_from_db()
    payment.refresh_from_db()
    return refund
