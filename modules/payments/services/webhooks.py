"""Applying the provider's webhook events once, in any order.

The event's id goes into the inbox (``ProcessedEvent``) in the same
transaction as its effect, so a redelivery changes nothing. Events carry the
provider's time stamp: one older than what a session last applied is recorded
and ignored, and a session never moves back (``sessions.MOVES_FROM``).
No provider call is made here: a session left authorized or captured without
an order is settled by reconciliation.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError

from contracts.events import publish
from contracts.payments import PaymentRefunded
from kernel.transactions import atomic_for
from modules.payments.models import Payment, ProcessedEvent, Refund
from modules.payments.providers.base import ProviderEvent
from modules.payments.services.sessions import payment_sync

logger = logging.getLogger(__name__)

INTENT_EVENTS = frozenset(
    {
        "payment_intent.created",
        "payment_intent.requires_action",
        "payment_intent.processing",
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    }
)
REFUND_EVENTS = frozenset({"charge.refunded", "refund.created", "refund.updated", "refund.failed", "charge.refund.updated"})
# Since Stripe's API version 2022-11-15 a Charge no longer lists its refunds: such an event names no refund. It is
# acknowledged and recorded (so the provider stops sending it); the refund itself arrives as refund.* events.
OBJECTLESS_EVENTS = frozenset({"charge.refunded"})


class EventUnknown(Exception):
    """An event type this module does not handle: refused, nothing applied."""


def webhook_apply(*, provider: str, event: ProviderEvent) -> bool:
    """Apply ``event`` unless it was applied before; return whether it was applied now."""
    if event.type not in INTENT_EVENTS | REFUND_EVENTS:
        raise EventUnknown(f"Unknown event type {event.type!r}.")
    objectless = not (event.refund or event.intent)
    if event.type in INTENT_EVENTS and event.intent is None or objectless and event.type not in OBJECTLESS_EVENTS:
        raise EventUnknown(f"The {event.type} event carries no object.")
    try:
        with atomic_for(Payment):
            ProcessedEvent.objects.create(provider=provider, event_id=event.id, type=event.type)
            if event.refund is not None:
                _refund_apply(event)
            elif event.intent is not None:
                payment = Payment.objects.filter(provider=provider, intent_id=event.intent.id).first()
                if payment is None:
                    logger.info("webhook %s is about intent %s, not one of ours", event.id, event.intent.id)
                elif event.type in INTENT_EVENTS:
                    payment_sync(payment=payment, intent=event.intent, seen=event.created)
    except IntegrityError:
        return False  # applied before (or right now, by a concurrent delivery)
    return True


def _refund_apply(event: ProviderEvent) -> None:
    """Record a refund the provider confirms; one made outside the shop (the dashboard) is recorded as the provider's."""
    refund = event.refund
    assert refund is not None
    if refund.status in ("failed", "canceled"):
        _refund_failed(refund_id=refund.id, status=refund.status)
        return
    if refund.status != "succeeded":
        return
    known = Refund.objects.filter(provider_refund_id=refund.id)
    if known.exists():
        known.exclude(status__in=("failed", "canceled")).update(status="succeeded")  # a late "succeeded" undoes no failure
        return
    payment = Payment.objects.select_for_update().filter(intent_id=refund.intent_id).first()
    if payment is None:
        return
    left = payment.amount_captured - payment.amount_refunded
    if refund.amount > left:
        logger.error("provider refund %s of %s exceeds what is left on %s (%s)", refund.id, refund.amount, payment.session_id, left)
        return
    Refund.objects.create(
        payment=payment, key=f"provider:{refund.id}", amount=refund.amount, reason="refunded at the provider",
        actor="provider", provider_refund_id=refund.id, status="succeeded",
    )
    payment.amount_refunded += refund.amount
    if payment.amount_refunded == payment.amount_captured:
        payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["amount_refunded", "status", "updated_at"])
    publish(
        PaymentRefunded(
            session_id=payment.session_id, order_number=payment.order_number, amount=refund.amount,
            currency=payment.currency, refund_id=refund.id,
        )
    )


def _refund_failed(*, refund_id: str, status: str) -> None:
    """Take back a refund the provider could not make: the money was not returned, so it counts as not refunded.

    Our record was marked succeeded when the provider accepted the request;
    a refund can still fail later (the card was closed). The payment's
    refunded total goes back down (and a fully refunded payment is captured
    again), so staff see what is really refunded and may refund another way.
    """
    ours = Refund.objects.select_for_update().filter(provider_refund_id=refund_id).exclude(status__in=("failed", "canceled")).first()
    if ours is None:
        return
    payment = Payment.objects.select_for_update().get(pk=ours.payment_id)
    Refund.objects.filter(pk=ours.pk).update(status=status)
    payment.amount_refunded -= ours.amount
    if payment.status == Payment.Status.REFUNDED:
        payment.status = Payment.Status.CAPTURED
    payment.save(update_fields=["amount_refunded", "status", "updated_at"])
    logger.error("provider refund %s of %s %s on %s %s: not refunded", refund_id, ours.amount, payment.currency, payment.session_id, status)
