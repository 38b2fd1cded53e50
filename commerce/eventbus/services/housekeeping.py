"""Forgetting delivered history: events, their deliveries and attempts, and inbox rows past the retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commerce.eventbus.models import Delivery, DeliveryAttempt, InboxEntry, OutboxEvent
from commerce.eventbus.services.routing import ACTIVE_STATES


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
