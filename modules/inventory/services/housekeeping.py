"""Periodic clean-up: reservations that hold nothing any more are forgotten after a retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from modules.inventory.models import Reservation
from modules.inventory.services.locking import transaction_run

# Only holds that ended: a committed reservation is the record of a sale (a cancelled order's stock return reads it).
_ENDED = (Reservation.State.RELEASED, Reservation.State.EXPIRED)


def reservations_purge(*, now: datetime | None = None, batch_size: int = 500, max_batches: int = 200) -> int:
    """Delete released and expired reservations (and their lines) ended longer ago than the retention; return how many.

    In bounded batches, each its own transaction, so a run never holds locks
    for long nor loads the whole table; what a run leaves, the next one takes.
    Rows a concurrent commit holds are skipped (an expired hold may still
    commit while its stock is free), and the delete re-checks state and age.
    A reference is idempotent for as long as its reservation is kept: the
    retention (``INVENTORY_RESERVATION_RETENTION_DAYS``) stays far above the
    time a checkout may retry (``INVENTORY_RESERVATION_TTL_SECONDS``).
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.INVENTORY_RESERVATION_RETENTION_DAYS)
    deleted = 0
    for _ in range(max_batches):
        count = transaction_run(lambda: _reservations_purge_batch(cutoff=cutoff, batch_size=batch_size))
        deleted += count
        if count < batch_size:
            break
    return deleted


def _reservations_purge_batch(*, cutoff: datetime, batch_size: int) -> int:
    ended = Reservation.objects.filter(state__in=_ENDED, updated_at__lt=cutoff)
    ids = list(ended.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:batch_size])
    if ids:
        ended.filter(pk__in=ids).delete()
    return len(ids)
