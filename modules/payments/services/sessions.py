"""Payment sessions: opened at the provider, kept in step with it, attached to the order they pay for.

Every status move is conditional ("from these statuses to that one"), so two
requests (or a request and a webhook) racing on one session never both act.
No database transaction of ours stays open across a provider call.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from typing import Any

from django.db import IntegrityError

from contracts.errors import FieldProblem, InvalidInput
from contracts.events import publish
from contracts.payments import (
    PaymentActionRequired,
    PaymentAmountMismatch,
    PaymentAuthorized,
    PaymentCanceled,
    PaymentCaptured,
    PaymentDeclined,
    PaymentFailed,
    PaymentNotAuthorized,
    PaymentNotConfigured,
    PaymentProviderUnavailable,
    PaymentSessionNotFound,
    PaymentSessionUsed,
)
from kernel.transactions import atomic_for
from modules.payments.models import Payment
from modules.payments.providers import payments_refused, provider_get
from modules.payments.providers.base import ProviderDeclined, ProviderIntent, ProviderUnavailable

logger = logging.getLogger(__name__)

Status = Payment.Status
# Before the money is held: the provider's word moves these anywhere.
OPEN = (Status.REQUIRES_PAYMENT_METHOD, Status.REQUIRES_ACTION, Status.PROCESSING)
# The provider's statuses as ours.
PROVIDER_STATUS = {
    "requires_payment_method": Status.REQUIRES_PAYMENT_METHOD,
    "requires_confirmation": Status.REQUIRES_PAYMENT_METHOD,
    "requires_action": Status.REQUIRES_ACTION,
    "processing": Status.PROCESSING,
    "requires_capture": Status.AUTHORIZED,
    "canceled": Status.CANCELED,
    "succeeded": Status.CAPTURED,
}
# Which of our statuses the provider's word may move a session out of, to each status.
MOVES_FROM: dict[str, tuple[str, ...]] = {
    Status.REQUIRES_PAYMENT_METHOD: OPEN,
    Status.REQUIRES_ACTION: OPEN,
    Status.PROCESSING: OPEN,
    Status.AUTHORIZED: OPEN,
    Status.CAPTURED: (*OPEN, Status.AUTHORIZED, Status.CAPTURING),
    Status.CANCELED: (*OPEN, Status.AUTHORIZED, Status.CANCELING),
}
REFERENCE_MAX_LENGTH = 100
AMOUNT_MAX = Decimal("99999999")


def payments_allowed() -> None:
    """Raise ``PaymentNotConfigured`` where the test provider is configured but not allowed (fail closed)."""
    if payments_refused():
        raise PaymentNotConfigured(
            "This shop takes no payments: no payment provider is configured (PAYMENTS_PROVIDER)."
        )


def session_id_new() -> str:
    return "ps_" + secrets.token_hex(12)


def _input_check(*, reference: str, amount: Decimal, currency: str) -> None:
    problems = []
    if not isinstance(reference, str) or not reference or len(reference) > REFERENCE_MAX_LENGTH:
        problems.append(FieldProblem(field="reference", code="invalid", detail=f"1 to {REFERENCE_MAX_LENGTH} characters."))
    if not isinstance(amount, Decimal) or not amount.is_finite() or not Decimal(0) < amount <= AMOUNT_MAX:
        problems.append(FieldProblem(field="amount", code="invalid", detail="A positive amount."))
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        problems.append(FieldProblem(field="currency", code="invalid", detail="An ISO 4217 code, upper case."))
    if problems:
        raise InvalidInput("The payment session cannot be opened: " + "; ".join(p.detail for p in problems), errors=tuple(problems))


def session_create(*, reference: str, amount: Decimal, currency: str, payment_method: str = "", key: str = "") -> Payment:
    """Open a session for ``amount`` at the provider; with ``payment_method``, pay into it at once.

    The row is written before the provider is asked, so reconciliation knows of
    an intent whose answer was lost. The same ``key`` answers the same session
    (its provider key is derived from the session, so a retry creates no second intent).
    """
    payments_allowed()
    _input_check(reference=reference, amount=amount, currency=currency)
    payment = Payment.objects.filter(key=key).first() if key else None
    if payment is None:
        try:
            with atomic_for(Payment):
                payment = Payment.objects.create(
                    session_id=session_id_new(),
                    key=key or None,
                    reference=reference,
                    provider=provider_get().name,
                    amount=amount,
                    currency=currency,
                    payment_method=payment_method,
                )
        except IntegrityError:
            payment = Payment.objects.get(key=key)
    if payment.intent_id and (payment.status not in OPEN or not payment_method):
        return payment  # a replay of a session already answered
    try:
        intent = intent_create_at_provider(payment=payment)
    except ProviderDeclined as declined:
        failure = declined.failure
        Payment.objects.filter(pk=payment.pk, status__in=OPEN).update(decline_code=failure.decline_code or failure.code)
        with atomic_for(Payment):
            publish(PaymentFailed(session_id=payment.session_id, reference=payment.reference, decline_code=failure.decline_code or failure.code))
        raise PaymentDeclined(
            f"The payment was declined ({failure.decline_code or failure.code}).", decline_code=failure.decline_code or failure.code
        ) from None
    except ProviderUnavailable as error:
        logger.warning("provider did not answer opening %s: %s", payment.session_id, error)
        raise PaymentProviderUnavailable("The payment provider did not answer; nothing was charged. Retry shortly.") from None
    Payment.objects.filter(pk=payment.pk).update(intent_id=intent.id, client_secret=intent.client_secret)
    payment.intent_id, payment.client_secret = intent.id, intent.client_secret
    return payment_sync(payment=payment, intent=intent)


def intent_create_at_provider(*, payment: Payment) -> ProviderIntent:
    """Ask the provider for the session's intent: always the same request under the same key, so a retry
    (ours, or reconciliation's after a lost answer) is answered with the first intent, never a second one."""
    return provider_get().intent_create(
        key=f"{payment.session_id}:create",
        amount=payment.amount,
        currency=payment.currency,
        metadata={"session": payment.session_id},  # never the cart's token: it is a bearer secret
        payment_method=payment.payment_method,
    )


def payment_sync(*, payment: Payment, intent: ProviderIntent, seen: int = 0) -> Payment:
    """Record what the provider says of the session's intent, if it is news; publish the fact it is.

    A move only happens from a status it may come from (``MOVES_FROM``): a late
    or replayed answer never takes a session back. ``seen`` is the provider's
    time stamp of a webhook event: one older than the newest applied is ignored.
    """
    target = PROVIDER_STATUS.get(intent.status)
    if target is None:
        return payment
    fields: dict[str, Any] = {
        "status": target,
        "next_action": dict(intent.next_action) if intent.next_action else None,
        "decline_code": (intent.last_failure.decline_code or intent.last_failure.code) if intent.last_failure else "",
    }
    if target == Status.CAPTURED:
        fields["amount_captured"] = min(intent.amount_received or payment.amount, payment.amount)
    if seen:
        fields["provider_seen"] = seen
    news = {name: value for name, value in fields.items() if getattr(payment, name) != value}
    if not news or (news.keys() == {"provider_seen"}):
        return payment
    query = Payment.objects.filter(pk=payment.pk, status__in=(payment.status,) if payment.status == target else MOVES_FROM[target])
    if seen:
        query = query.filter(provider_seen__lte=seen)
    with atomic_for(Payment):
        moved = query.update(**news)
        if moved and payment.status != target:
            _publish_move(payment=payment, target=target, decline_code=fields["decline_code"], captured=fields.get("amount_captured"))
    if moved:
        for name, value in news.items():
            setattr(payment, name, value)
        return payment
    payment.refresh_from_db()
    return payment


def _publish_move(*, payment: Payment, target: str, decline_code: str, captured: Decimal | None) -> None:
    if target == Status.AUTHORIZED:
        publish(PaymentAuthorized(session_id=payment.session_id, reference=payment.reference, amount=payment.amount, currency=payment.currency))
    elif target == Status.REQUIRES_PAYMENT_METHOD and decline_code:
        publish(PaymentFailed(session_id=payment.session_id, reference=payment.reference, decline_code=decline_code))
    elif target == Status.CAPTURED:
        publish(
            PaymentCaptured(
                session_id=payment.session_id, order_number=payment.order_number or "", amount=captured or payment.amount, currency=payment.currency
            )
        )
    elif target == Status.CANCELED:
        publish(PaymentCanceled(session_id=payment.session_id, order_number=payment.order_number))


def payment_refresh(*, payment: Payment) -> Payment:
    """Ask the provider about the session and record its answer; ``PaymentProviderUnavailable`` if it does not answer."""
    if not payment.intent_id:
        return payment
    try:
        intent = provider_get().intent_get(intent_id=payment.intent_id)
    except ProviderUnavailable as error:
        logger.warning("provider did not answer about %s: %s", payment.session_id, error)
        raise PaymentProviderUnavailable("The payment provider did not answer; nothing was charged. Retry shortly.") from None
    return payment_sync(payment=payment, intent=intent)


def session_get(*, session_id: str) -> Payment:
    payment = Payment.objects.filter(session_id=session_id).first() if isinstance(session_id, str) else None
    if payment is None:
        raise PaymentSessionNotFound()
    return payment


def session_attach(*, session_id: str, reference: str, order_number: str, amount: Decimal, currency: str) -> Payment:
    """Check the session holds exactly ``amount`` in ``currency`` for ``reference``, and make it ``order_number``'s.

    Our record is trusted when it says authorized; otherwise the provider is
    asked (the customer may have paid or authenticated since). Idempotent for
    the same order; a session paying for another order is refused.
    """
    payments_allowed()
    payment = session_get(session_id=session_id)
    if payment.reference != reference:
        raise PaymentSessionNotFound()
    if payment.order_number == order_number and payment.status in (Status.AUTHORIZED, Status.CAPTURING, Status.CAPTURED):
        return payment
    if payment.order_number not in (None, order_number):
        raise PaymentSessionUsed("This payment session already paid for another order.")
    if payment.status in OPEN:
        payment = payment_refresh(payment=payment)
    if payment.status == Status.REQUIRES_ACTION:
        raise PaymentActionRequired("The customer must authenticate the payment first.", next_action=payment.next_action or {})
    if payment.status == Status.REQUIRES_PAYMENT_METHOD and payment.decline_code:
        raise PaymentDeclined(f"The payment was declined ({payment.decline_code}).", decline_code=payment.decline_code)
    if payment.status in OPEN:
        raise PaymentNotAuthorized("Nothing was paid into this payment session yet.", session_status=payment.status)
    if payment.status != Status.AUTHORIZED:
        raise PaymentSessionUsed(f"This payment session is {payment.status}.")
    if (payment.amount, payment.currency) != (amount, currency):
        raise PaymentAmountMismatch(
            f"The payment session is for {payment.amount} {payment.currency}, the order for {amount} {currency}: "
            "open a new payment session.",
            session_amount=str(payment.amount),
            session_currency=payment.currency,
        )
    try:
        attached = _attach(payment=payment, order_number=order_number)
    except IntegrityError:
        # Another session paid for this order number before (a retry after the amount changed): let it go first.
        from modules.payments.services.settlement import payment_release

        payment_release(order_number=order_number, cancel=True)
        Payment.objects.filter(order_number=order_number).exclude(pk=payment.pk).update(order_number=None)
        attached = _attach(payment=payment, order_number=order_number)
    if not attached:
        payment.refresh_from_db()
        if payment.order_number == order_number and payment.status == Status.AUTHORIZED:
            return payment
        raise PaymentSessionUsed("This payment session already paid for another order.")
    payment.order_number = order_number
    return payment


def _attach(*, payment: Payment, order_number: str) -> int:
    with atomic_for(Payment):  # a savepoint when nested: a refused UPDATE leaves the caller's transaction usable
        return Payment.objects.filter(pk=payment.pk, status=Status.AUTHORIZED, order_number__isnull=True).update(
            order_number=order_number
        )
