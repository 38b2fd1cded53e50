"""Store, dispatch and deliver events: at-least-once delivery, exactly-once effects.

Invariants:
- an event exists only if the publisher's transaction committed (its outbox
  row is written in that transaction, in the publisher's database);
- each subscriber has its own delivery row, so one failing subscriber never
  blocks or repeats the others;
- a subscriber's effect and its inbox row commit together, so a repeated
  delivery of the same event finds the inbox row and does nothing.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from commerce.eventbus.delivery_thread import delivery_thread
from commerce.eventbus.models import Delivery, DeliveryAttempt, InboxEntry, OutboxEvent
from commerce.routers import module_database
from contracts.codec import from_primitive, to_primitive
from contracts.events import Event, Subscription, event_type_get, subscription_get, subscriptions_for

logger = logging.getLogger(__name__)

ACTIVE_STATES = (Delivery.State.PENDING, Delivery.State.RETRYING)
# A delivery to a module that runs in another process is addressed to "@<module>": that process
# applies the event to each of its own subscribers, each through its own inbox.
REMOTE_PREFIX = "@"
EMBEDDED_SWEEP_BATCH = 20


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.EVENTS_DISPATCH_LEASE_SECONDS)


def _grace_end(now: datetime) -> datetime:
    """When a new delivery that nobody started is due for the sweeper (its dispatch was lost)."""
    return now + timedelta(seconds=settings.EVENTS_DISPATCH_GRACE_SECONDS)


def subscriber_names(*, event_name: str) -> list[str]:
    """Return who gets a delivery of ``event_name``: local subscribers, then each module running elsewhere."""
    local = [subscription.name for subscription in subscriptions_for(event_name)]
    return local + [f"{REMOTE_PREFIX}{module}" for module in sorted(settings.MODULE_SERVICE_URLS)]


def event_store(*, event: Event) -> list[int]:
    """Write ``event`` and one delivery per subscriber in the caller's transaction; return the delivery ids.

    Dispatch is registered for after commit, so a rolled-back transaction
    leaves neither rows nor deliveries behind.
    """
    return events_store(events=[event])


STORE_BATCH = 500


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
                Delivery(event=row, subscriber=name, next_attempt_at=_grace_end(now))
                for row, event in zip(outbox, batch, strict=True)
                for name in subscribers.setdefault(event.name, subscriber_names(event_name=event.name))
            ]
            for start_d in range(0, len(deliveries), STORE_BATCH):
                ids.extend(d.pk for d in Delivery.objects.using(alias).bulk_create(deliveries[start_d : start_d + STORE_BATCH]))
    if ids:
        # Robust: the publisher's transaction has committed; nothing after it may fail its request (the sweeper
        # sends what a failed dispatch left behind).
        transaction.on_commit(partial(deliveries_dispatch, alias=alias, delivery_ids=ids), using=alias, robust=True)
    return ids


def deliveries_dispatch(*, alias: str, delivery_ids: Iterable[int], sweep_due: bool = True) -> None:
    """Hand deliveries to Celery, or deliver them in-process when no broker is configured.

    Never raises: the publisher's transaction has committed, and whatever is
    not dispatched now is found by the sweeper.
    """
    all_ids = list(delivery_ids)
    for start in range(0, len(all_ids), STORE_BATCH):  # bounded batches (a bulk publish may bring thousands)
        _batch_dispatch(alias=alias, ids=all_ids[start : start + STORE_BATCH], sweep_due=sweep_due and start == 0)


def _batch_dispatch(*, alias: str, ids: list[int], sweep_due: bool) -> None:
    if not broker_configured():
        if settings.EVENTS_EMBEDDED_DELIVERY == "thread" and not delivery_thread.is_current():
            # After the response: no subscriber's latency inside the request that published.
            delivery_thread.submit(work=partial(_deliver_here, sweep_due=sweep_due), alias=alias, delivery_ids=ids)
        else:
            _deliver_here(alias, ids, sweep_due=sweep_due)
        return
    from commerce.eventbus.tasks import deliver_batch

    try:
        deliver_batch.apply_async(args=(ids, alias))  # one message per event, however many subscribers it has
    except Exception:
        logger.warning("broker unreachable; deliveries %s wait for the sweeper", ids, exc_info=True)
        Delivery.objects.using(alias).filter(pk__in=ids, state__in=ACTIVE_STATES).update(next_attempt_at=timezone.now())


def _deliver_here(alias: str, delivery_ids: Iterable[int], *, sweep_due: bool) -> None:
    """Deliver in this thread, now (the embedded mode)."""
    deliveries_attempt(delivery_ids=list(delivery_ids), alias=alias)
    if sweep_due and _sweep_is_due():
        # No beat runs in the embedded mode: new events also bring a few due retries along.
        events_sweep(limit=EMBEDDED_SWEEP_BATCH, sweep_due=False)


_last_sweep = 0.0


def _sweep_is_due() -> bool:
    """Inline, every batch sweeps; the delivery thread at most once per sweep interval (a schedule also sweeps)."""
    global _last_sweep
    if not delivery_thread.is_current():
        return True
    now = time.monotonic()
    if now - _last_sweep < settings.EVENTS_SWEEP_INTERVAL_SECONDS:
        return False
    _last_sweep = now
    return True


def _backoff_seconds(attempts: int) -> int:
    return min(settings.EVENTS_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.EVENTS_BACKOFF_MAX_SECONDS)


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
        next_attempt_at=_lease_end(timezone.now())
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


def _inbox_record(*, alias: str, subscriber: str, event_id: str) -> bool:
    """Write the inbox row of (subscriber, event) unless it exists; return whether this call wrote it.

    One statement (INSERT ... ON CONFLICT DO NOTHING RETURNING, on PostgreSQL and SQLite alike) instead of a
    read, a savepoint and an insert.
    """
    connection = connections[alias]
    table = connection.ops.quote_name(InboxEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (subscriber, event_id, processed_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (subscriber, event_id) DO NOTHING RETURNING id",
            [subscriber, event_id, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.fetchone() is not None


def subscription_apply(*, subscription: Subscription, event: Event) -> bool:
    """Apply ``event`` to one subscriber of this process at most once; return whether it ran now.

    The inbox row and the subscriber's effect commit in one transaction of
    the subscriber's database: a repeated delivery finds the row and stops.
    A subscriber registered with ``in_transaction=False`` runs outside any
    transaction and its inbox row is written after it succeeded.
    """
    alias = module_database(subscription.module)
    if not subscription.in_transaction:
        # The handler calls other modules or services: no transaction stays open across it.
        inbox = InboxEntry.objects.using(alias).filter(subscriber=subscription.name, event_id=event.event_id)
        if inbox.exists():
            return False
        subscription.handler(event)
        # A parallel delivery may have recorded it first; the handler is idempotent.
        _inbox_record(alias=alias, subscriber=subscription.name, event_id=event.event_id)
        return True
    with transaction.atomic(using=alias):
        first_time = _inbox_record(alias=alias, subscriber=subscription.name, event_id=event.event_id)
        if first_time:
            subscription.handler(event)
    return first_time


def event_apply_here(*, name: str, payload: dict[str, Any]) -> None:
    """Apply an event that another process published to every subscriber of this process.

    Each subscriber is tried even if another fails; if any failed, raise so
    that the publisher retries (those that succeeded find their inbox rows).
    """
    event = from_primitive(event_type_get(name), payload)
    failures = []
    for subscription in subscriptions_for(name):
        try:
            subscription_apply(subscription=subscription, event=event)
        except Exception as exc:
            failures.append(f"{subscription.name}: {exc!r}")
    if failures:
        raise SubscribersFailed("; ".join(failures))


class SubscribersFailed(Exception):
    """Some subscribers of this process failed to apply an event."""


def event_forward(*, module: str, name: str, payload: dict[str, Any]) -> None:
    """Hand an event to the process that runs ``module``; raise unless every subscriber there applied it."""
    from commerce.transport.client import event_post

    event_post(
        base_url=settings.MODULE_SERVICE_URLS[module],
        token=settings.CONTRACTS_TOKEN,
        timeout=settings.CONTRACTS_TIMEOUT_SECONDS,
        name=name,
        payload=payload,
    )


def _failure_record(*, delivery: Delivery, alias: str, error: Exception) -> str:
    attempts = delivery.attempts + 1
    text = "".join(traceback.format_exception(error))[-4000:]
    now = timezone.now()
    dead = attempts >= settings.EVENTS_MAX_ATTEMPTS
    delay = _backoff_seconds(attempts)
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
                next_attempt_at=_lease_end(now + timedelta(seconds=delay))
            )
        except Exception:
            logger.warning("broker unreachable; retry of delivery %s waits for the sweeper", delivery.pk)
    return Delivery.State.DEAD if dead else Delivery.State.RETRYING


def events_sweep(*, now: datetime | None = None, limit: int = 500, sweep_due: bool = False) -> int:
    """Dispatch deliveries that are due: retries whose time came, and dispatches lost to a crash or a down broker."""
    now = now or timezone.now()
    dispatched = 0
    for alias in sorted(set(settings.MODULE_DATABASES.values())):
        due = list(
            Delivery.objects.using(alias)
            .filter(state__in=ACTIVE_STATES, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not due:
            continue
        Delivery.objects.using(alias).filter(pk__in=due).update(next_attempt_at=_lease_end(now))
        deliveries_dispatch(alias=alias, delivery_ids=due, sweep_due=sweep_due)
        dispatched += len(due)
    return dispatched


def delivery_retry(*, delivery_id: int, alias: str = "default") -> None:
    """Bring a dead (or retrying) delivery back and dispatch it now; the inbox still prevents a second effect."""
    updated = Delivery.objects.using(alias).filter(pk=delivery_id).exclude(state=Delivery.State.DELIVERED).update(
        state=Delivery.State.PENDING, next_attempt_at=_lease_end(timezone.now())
    )
    if updated:
        deliveries_dispatch(alias=alias, delivery_ids=[delivery_id])


def delivery_replay(*, delivery_id: int, alias: str = "default") -> None:
    """Apply an event to its subscriber again, on purpose: forget its inbox entry, then deliver."""
    delivery = Delivery.objects.using(alias).select_related("event").get(pk=delivery_id)
    if not delivery.subscriber.startswith(REMOTE_PREFIX):  # another process keeps its own inbox
        subscriber_alias = module_database(delivery.subscriber.split(".", 1)[0])
        with transaction.atomic(using=subscriber_alias):
            InboxEntry.objects.using(subscriber_alias).filter(
                subscriber=delivery.subscriber, event_id=delivery.event.event_id
            ).delete()
    Delivery.objects.using(alias).filter(pk=delivery_id).update(
        state=Delivery.State.PENDING, next_attempt_at=_lease_end(timezone.now())
    )
    deliveries_dispatch(alias=alias, delivery_ids=[delivery_id])


def events_purge(*, now: datetime | None = None, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Forget delivered history older than ``EVENTS_RETENTION_DAYS``; return how many events went.

    An event goes once it is older than the retention and none of its
    deliveries is still pending, retrying or dead (dead letters wait for an
    operator). Events no module subscribes to are history only and go by age.
    Inbox rows are kept a day longer than events, so any event that can still
    be delivered again still finds its subscriber's inbox row. Deleted in
    bounded batches, so a purge never holds a long transaction.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    inbox_cutoff = cutoff - timedelta(days=1)
    purged = 0
    for alias in sorted(set(settings.MODULE_DATABASES.values())):
        for _ in range(max_batches):
            ids = list(
                OutboxEvent.objects.using(alias)
                .filter(created_at__lt=cutoff)
                .exclude(deliveries__state__in=(*ACTIVE_STATES, Delivery.State.DEAD))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            with transaction.atomic(using=alias):
                DeliveryAttempt.objects.using(alias).filter(delivery__event_id__in=ids).delete()
                Delivery.objects.using(alias).filter(event_id__in=ids).delete()
                purged += OutboxEvent.objects.using(alias).filter(pk__in=ids).delete()[0]
        for _ in range(max_batches):
            ids = list(
                InboxEntry.objects.using(alias).filter(processed_at__lt=inbox_cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            InboxEntry.objects.using(alias).filter(pk__in=ids).delete()
    return purged
