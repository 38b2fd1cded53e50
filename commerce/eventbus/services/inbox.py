"""Applying an event to a subscriber at most once: its effect and its inbox row commit together."""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from commerce.eventbus.models import InboxEntry
from commerce.routers import module_database
from contracts.codec import from_primitive
from contracts.events import Event, Subscription, event_type_get, subscriptions_for


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
