"""Storing events and one delivery per subscriber in the publisher's transaction; dispatch after its commit."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone

from commerce.eventbus.models import Delivery, OutboxEvent
from commerce.eventbus.services import dispatch
from commerce.eventbus.services.routing import grace_end, subscriber_names
from commerce.routers import module_database
from contracts.codec import to_primitive
from contracts.events import Event

STORE_BATCH = 500


def event_store(*, event: Event) -> list[int]:
    """Write ``event`` and one delivery per subscriber in the caller's transaction; return the delivery ids.

    Dispatch is registered for after commit, so a rolled-back transaction
    leaves neither rows nor deliveries behind.
    """
    return events_store(events=[event])


def events_store(*, events: Sequence[Event]) -> list[int]:
    """Write ``events`` (of one publisher) and their deliveries in bulk, in the caller's transaction.

    Each batch of events is one INSERT, and so are their deliveries; one
    dispatch after commit carries all the delivery ids.
    """
    if not events:
        return []
    publishers = {event.publisher for event in events}
    if len(publishers) != 1:
        raise ValueError(f"events of several publishers cannot be stored together: {sorted(publishers)}")
    alias = module_database(events[0].publisher)
    now = timezone.now()
    ids: list[int] = []
    subscribers: dict[str, list[str]] = {}
    # Inside the publisher's transaction no savepoint is needed: a failed write fails the publisher's change too.
    with transaction.atomic(using=alias, savepoint=False):
        for start in range(0, len(events), STORE_BATCH):
            batch = events[start : start + STORE_BATCH]
            outbox = OutboxEvent.objects.using(alias).bulk_create(
                [
                    OutboxEvent(
                        event_id=event.event_id,
                        name=event.name,
                        version=event.version,
                        publisher=event.publisher,
                        payload=to_primitive(event),
                    )
                    for event in batch
                ]
            )
            deliveries = [
                # Due soon: if the dispatch after commit is lost (a crash, a broker restart), the
                # sweeper sends it within seconds; a delivery that starts takes the full lease.
                Delivery(event=row, subscriber=name, next_attempt_at=grace_end(now))
                for row, event in zip(outbox, batch, strict=True)
                for name in subscribers.setdefault(event.name, subscriber_names(event_name=event.name))
            ]
            for start_d in range(0, len(deliveries), STORE_BATCH):
                ids.extend(d.pk for d in Delivery.objects.using(alias).bulk_create(deliveries[start_d : start_d + STORE_BATCH]))
    if ids:
        # Robust: the publisher's transaction has committed; nothing after it may fail its request (the sweeper
        # sends what a failed dispatch left behind).
        transaction.on_commit(partial(dispatch.deliveries_dispatch, alias=alias, delivery_ids=ids), using=alias, robust=True)
    return ids
