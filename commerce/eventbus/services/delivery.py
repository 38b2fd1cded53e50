"""One attempt of each delivery: apply or forward the event, then record success, or failure with retry or dead letter."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from commerce.eventbus.models import Delivery, DeliveryAttempt
from commerce.eventbus.services.inbox import subscription_apply
from commerce.eventbus.services.routing import ACTIVE_STATES, REMOTE_PREFIX, backoff_seconds, broker_configured, lease_end
from contracts.codec import from_primitive
from contracts.events import Event, event_type_get, subscription_get

logger = logging.getLogger(__name__)


def delivery_attempt(*, delivery_id: int, alias: str) -> str | None:
    """Deliver one event to one subscriber once; record failure, retry or dead-letter. Return the new state."""
    states = deliveries_attempt(delivery_ids=[delivery_id], alias=alias)
    if delivery_id in states:
        return states[delivery_id]
    return Delivery.objects.using(alias).filter(pk=delivery_id).values_list("state", flat=True).first()


def deliveries_attempt(*, delivery_ids: Sequence[int], alias: str) -> dict[int, str]:
    """Deliver each active delivery of ``delivery_ids`` once; return the new state of each one tried.

    One read and one claim for them all, one write for all that succeeded: an
    event's fan-out costs a few statements, not a few per subscriber. A process
    that dies in between leaves them active, and the inbox makes the redelivery
    harmless.
    """
    deliveries = list(
        Delivery.objects.using(alias).select_related("event").filter(pk__in=delivery_ids, state__in=ACTIVE_STATES).order_by("pk")
    )
    if not deliveries:
        return {}
    # Started: the sweeper leaves them alone for the dispatch lease, however long the subscribers take.
    Delivery.objects.using(alias).filter(pk__in=[d.pk for d in deliveries], state__in=ACTIVE_STATES).update(
        next_attempt_at=lease_end(timezone.now())
    )
    states: dict[int, str] = {}
    decoded: dict[int, Event] = {}
    for delivery in deliveries:
        try:
            if delivery.subscriber.startswith(REMOTE_PREFIX):
                module = delivery.subscriber.removeprefix(REMOTE_PREFIX)
                event_forward(module=module, name=delivery.event.name, payload=delivery.event.payload)
            else:
                if delivery.event_id not in decoded:
                    decoded[delivery.event_id] = from_primitive(event_type_get(delivery.event.name), delivery.event.payload)
                subscription_apply(subscription=subscription_get(delivery.subscriber), event=decoded[delivery.event_id])
        except Exception as exc:
            states[delivery.pk] = _failure_record(delivery=delivery, alias=alias, error=exc)
        else:
            states[delivery.pk] = Delivery.State.DELIVERED
    delivered = [pk for pk, state in states.items() if state == Delivery.State.DELIVERED]
    if delivered:
        Delivery.objects.using(alias).filter(pk__in=delivered).update(
            state=Delivery.State.DELIVERED, attempts=F("attempts") + 1, delivered_at=timezone.now(), last_error=""
        )
    return states


def event_forward(*, module: str, name: str, payload: dict[str, Any]) -> None:
    """Hand an event to the process that runs ``module``; raise unless every subscriber there applied it."""
    from commerce.transport.client import event_send

    event_send(module=module, name=name, payload=payload)


def _failure_record(*, delivery: Delivery, alias: str, error: Exception) -> str:
    """Record a failed attempt: retry after a backoff (a countdown task with a broker), or dead-letter the last one."""
    attempts = delivery.attempts + 1
    text = "".join(traceback.format_exception(error))[-4000:]
    now = timezone.now()
    dead = attempts >= settings.EVENTS_MAX_ATTEMPTS
    delay = backoff_seconds(attempts)
    with transaction.atomic(using=alias):
        DeliveryAttempt.objects.using(alias).create(delivery=delivery, number=attempts, error=text)
        Delivery.objects.using(alias).filter(pk=delivery.pk).update(
            state=Delivery.State.DEAD if dead else Delivery.State.RETRYING,
            attempts=attempts,
            last_error=text,
            next_attempt_at=now + timedelta(seconds=delay),
        )
    logger.warning("delivery %s to %s failed (attempt %s): %s", delivery.pk, delivery.subscriber, attempts, error)
    if not dead and broker_configured():
        from commerce.eventbus.tasks import deliver

        try:
            deliver.apply_async(args=(delivery.pk, alias), countdown=delay)
            # The countdown task owns the retry; the sweeper steps in only if it is lost.
            Delivery.objects.using(alias).filter(pk=delivery.pk, state=Delivery.State.RETRYING).update(
                next_attempt_at=lease_end(now + timedelta(seconds=delay))
            )
        except Exception:
            logger.warning("broker unreachable; retry of delivery %s waits for the sweeper", delivery.pk)
    return Delivery.State.DEAD if dead else Delivery.State.RETRYING
