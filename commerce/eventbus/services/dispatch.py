"""Handing deliveries to Celery workers, or delivering them in this process; the sweeper of due deliveries."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.utils import timezone

from commerce.eventbus.delivery_thread import delivery_thread
from commerce.eventbus.models import Delivery
from commerce.eventbus.services.delivery import deliveries_attempt
from commerce.eventbus.services.routing import ACTIVE_STATES, broker_configured, lease_end

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 500  # deliveries per dispatch: a bulk publish may bring thousands
EMBEDDED_SWEEP_BATCH = 20


def deliveries_dispatch(*, alias: str, delivery_ids: Iterable[int], sweep_due: bool = True) -> None:
    """Hand deliveries to Celery, or deliver them in-process when no broker is configured.

    Never raises: the publisher's transaction has committed, and whatever is
    not dispatched now is found by the sweeper.
    """
    all_ids = list(delivery_ids)
    for start in range(0, len(all_ids), DISPATCH_BATCH):
        _batch_dispatch(alias=alias, ids=all_ids[start : start + DISPATCH_BATCH], sweep_due=sweep_due and start == 0)


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
        Delivery.objects.using(alias).filter(pk__in=due).update(next_attempt_at=lease_end(now))
        deliveries_dispatch(alias=alias, delivery_ids=due, sweep_due=sweep_due)
        dispatched += len(due)
    return dispatched
