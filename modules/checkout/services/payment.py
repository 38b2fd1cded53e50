"""The payment of an order number: a state machine moved only by conditional updates.

pending → authorized → captured → refunded; authorized → voided; pending →
declined | failed. Every move is "from this state to that one", so two
requests racing on one payment never both act: the loser sees the move fail
and reads what the winner did. The payment row is written before the gateway
is asked, so an undo knows to look for it even when the answer never came.
"""

from __future__ import annotations

import logging
from typing import Any

from contracts.pricing import Quote
from modules.checkout.errors import PaymentDeclined, PaymentGatewayFailed
from modules.checkout.models import Payment
from modules.checkout.payments import GatewayDeclined, GatewayError, gateway_get

logger = logging.getLogger(__name__)

Status = Payment.Status
HOLDING = (Status.AUTHORIZED, Status.CAPTURED)


def payment_move(*, payment: Payment, source: str, target: str, **fields: Any) -> bool:
    """Move ``payment`` from ``source`` to ``target`` if it is still in ``source``; return whether it moved."""
    moved = Payment.objects.filter(pk=payment.pk, status=source).update(status=target, **fields)
    if moved:
        payment.status = target
        for name, value in fields.items():
            setattr(payment, name, value)
    return bool(moved)


def payment_void_at_gateway(payment: Payment) -> None:
    """Ask the gateway to let go of the authorization of ``payment`` (idempotent by key)."""
    gateway_get().void(key=f"{payment.authorize_key}:void", intent_id=payment.intent_id)


def payment_refund_at_gateway(payment: Payment) -> None:
    """Ask the gateway to give the captured amount of ``payment`` back (idempotent by key)."""
    gateway_get().refund(key=f"{payment.authorize_key}:refund", intent_id=payment.intent_id, amount=payment.amount)


def payment_capture_at_gateway(payment: Payment) -> None:
    """Ask the gateway to take the authorized amount of ``payment`` (idempotent by key)."""
    gateway_get().capture(key=f"{payment.authorize_key}:capture", intent_id=payment.intent_id)


def payment_pending(*, number: str, quote: Quote, generation: int = 1) -> dict[str, Any]:
    """Return the fields of a payment about to be sent to the gateway for ``quote.total``."""
    return {
        "gateway": gateway_get().name,
        "authorize_key": f"{number}:authorize:{generation}",
        "generation": generation,
        "intent_id": "",
        "amount": quote.total,
        "currency": quote.currency,
        "status": Status.PENDING,
    }


def payment_prepare(*, number: str, quote: Quote) -> Payment:
    """Ready the payment of ``number`` for ``quote``: pending (to ask the gateway), or one already holding that amount.

    An authorization of another amount is voided (the prices changed since);
    a voided or refused one never comes back: the next try is a new generation.
    """
    payment = Payment.objects.filter(order_number=number).first()
    if payment is None:
        return Payment.objects.create(order_number=number, **payment_pending(number=number, quote=quote))
    same_amount = (payment.amount, payment.currency) == (quote.total, quote.currency)
    if payment.status in HOLDING and same_amount:
        return payment
    if payment.status == Status.AUTHORIZED:
        payment_void_at_gateway(payment)
        payment_move(payment=payment, source=Status.AUTHORIZED, target=Status.VOIDED)
        payment.refresh_from_db()
    if payment.status == Status.PENDING and same_amount:
        return payment  # ask again under the same key: the gateway answers with whatever it did the first time
    if payment.status == Status.PENDING:
        logger.warning("payment %s had no answer for key %s; reconcile it", number, payment.authorize_key)
    fields = payment_pending(number=number, quote=quote, generation=payment.generation + 1)
    Payment.objects.filter(pk=payment.pk).update(**fields)
    payment.refresh_from_db()
    return payment


def payment_authorize(*, payment: Payment, token: str | None) -> Payment:
    """Ask the gateway to authorize the pending ``payment``; record its answer.

    ``PaymentDeclined`` or ``PaymentGatewayFailed`` when it does not. An answer
    that comes after the attempt gave the payment up (an undo moved it on) is
    voided at once: nobody would track it otherwise.
    """
    key = payment.authorize_key
    try:
        intent_id = gateway_get().authorize(key=key, amount=payment.amount, currency=payment.currency, token=token)
    except GatewayDeclined as error:
        payment_move(payment=payment, source=Status.PENDING, target=Status.DECLINED)
        raise PaymentDeclined(f"The payment was declined: {error}") from error
    except GatewayError as error:
        raise PaymentGatewayFailed(f"The payment could not be taken: {error}") from error
    recorded = Payment.objects.filter(pk=payment.pk, status=Status.PENDING, authorize_key=key).update(
        intent_id=intent_id, status=Status.AUTHORIZED
    )
    if recorded:
        payment.intent_id, payment.status = intent_id, Status.AUTHORIZED
        return payment
    payment.refresh_from_db()
    if not (payment.authorize_key == key and payment.status in HOLDING):
        # Our answer came too late: the attempt gave this authorization up or moved on.
        gateway_get().void(key=f"{key}:void", intent_id=intent_id)
    return payment


def payment_reverse(*, number: str, sent: bool = True) -> None:
    """Give back whatever the payment of ``number`` holds: void an authorization, refund a capture.

    ``sent=False`` says the caller knows the gateway was never asked, so a
    pending payment is simply forgotten. Each move is conditional: if a settle
    captured meanwhile, the loop sees the capture and refunds it.
    """
    for _ in range(3):
        payment = Payment.objects.filter(order_number=number).first()
        if payment is None:
            return
        if payment.status == Status.AUTHORIZED:
            payment_void_at_gateway(payment)
            moved = payment_move(payment=payment, source=Status.AUTHORIZED, target=Status.VOIDED)
        elif payment.status == Status.CAPTURED:
            payment_refund_at_gateway(payment)
            moved = payment_move(payment=payment, source=Status.CAPTURED, target=Status.REFUNDED)
        elif payment.status == Status.PENDING and not sent:
            # Written ahead of a gateway call that never happened: there is nothing to record.
            moved = bool(Payment.objects.filter(pk=payment.pk, status=Status.PENDING).delete()[0])
        elif payment.status == Status.PENDING:
            # The gateway never answered: nothing is known to be held. A real gateway's
            # reconciliation looks the outcome up by ``authorize_key``.
            logger.warning("payment of %s had no answer from the gateway; reconcile by key %s", number, payment.authorize_key)
            moved = payment_move(payment=payment, source=Status.PENDING, target=Status.FAILED)
        else:
            return  # declined, voided, refunded or failed: nothing is held
        if moved:
            return
    raise RuntimeError(f"the payment of {number} kept changing while it was being given back; retried later")


def payment_of(*, number: str) -> Payment | None:
    return Payment.objects.filter(order_number=number).first()


