"""Storing events and one delivery per subscriber in the publisher's transaction; dispatch after its commit."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import orjson
from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
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
    dispatch after commit carries all the delivery ids. The delivery ids are
    returned in order: by event, then by subscriber.
    """
    if not events:
        return []
    publishers = {event.publisher for event in events}
    if len(publishers) != 1:
        raise ValueError(f"events of several publishers cannot be stored together: {sorted(publishers)}")
    alias = module_database(events[0].publisher)
    connection = connections[alias]
    now = timezone.now()
    ids: list[int] = []
    subscribers: dict[str, list[str]] = {}
    # Inside the publisher's transaction no savepoint is needed: a failed write fails the publisher's change too.
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(now)
        # Due soon: if the dispatch after commit is lost (a crash, a broker restart), the sweeper sends it
        # within seconds; a delivery that starts takes the full lease.
        due = connection.ops.adapt_datetimefield_value(grace_end(now))
        json = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        for start in range(0, len(events), STORE_BATCH):
            batch = events[start : start + STORE_BATCH]
            stored = _insert_returning(
                cursor,
                table=OutboxEvent,
                columns=("event_id", "name", "version", "publisher", "payload", "created_at"),
                placeholder=f"(%s, %s, %s, %s, {json}, %s)",
                rows=[
                    (event.event_id, event.name, event.version, event.publisher, _json(to_primitive(event)), stamp)
                    for event in batch
                ],
                key="event_id",
            )
            deliveries = [
                (stored[event.event_id], name, Delivery.State.PENDING, 0, "", due, stamp)
                for event in batch
                for name in subscribers.setdefault(event.name, subscriber_names(event_name=event.name))
            ]
            for start_d in range(0, len(deliveries), STORE_BATCH):
                ids.extend(
                    _insert_returning(
                        cursor,
                        table=Delivery,
                        columns=("event_id", "subscriber", "state", "attempts", "last_error", "next_attempt_at", "updated_at"),
                        placeholder="(%s, %s, %s, %s, %s, %s, %s)",
                        rows=deliveries[start_d : start_d + STORE_BATCH],
                        key="id",
                    ).values()
                )
    if ids:
        # Robust: the publisher's transaction has committed; nothing after it may fail its request (the sweeper
        # sends what a failed dispatch left behind).
        transaction.on_commit(partial(dispatch.deliveries_dispatch, alias=alias, delivery_ids=ids), using=alias, robust=True)
    return ids


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _insert_returning(
    cursor: CursorWrapper, *, table: type[Model], columns: Sequence[str], placeholder: str, rows: Sequence[Sequence[object]], key: str
) -> dict[object, int]:
    """Insert ``rows`` in one statement; return each new id by the row's ``key`` column.

    Django's ``bulk_create`` prepared every value of every field through the
    model layer (and on PostgreSQL built arrays for ``UNNEST``): most of the
    cost of storing a large import's events. Here the values are already
    what the database takes.
    """
    name = cursor.db.ops.quote_name(table._meta.db_table)
    cursor.execute(
        f"INSERT INTO {name} ({', '.join(columns)}) VALUES {', '.join([placeholder] * len(rows))} RETURNING id, {key}",
        [value for row in rows for value in row],
    )
    return {row_key: pk for pk, row_key in cursor.fetchall()}
