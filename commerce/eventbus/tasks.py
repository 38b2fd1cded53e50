"""Celery tasks of the event bus: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from commerce.eventbus.services import delivery, dispatch, housekeeping

# A database error around a delivery (not inside its subscriber, which is recorded and retried by the bus)
# must not drop the task: retry it with backoff; the sweeper remains the backstop.
RETRY_ON_DATABASE_ERRORS = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="commerce.eventbus.tasks.deliver", **RETRY_ON_DATABASE_ERRORS)
def deliver(delivery_id: int, alias: str) -> str | None:
    return delivery.delivery_attempt(delivery_id=delivery_id, alias=alias)


@shared_task(name="commerce.eventbus.tasks.deliver_batch", **RETRY_ON_DATABASE_ERRORS)
def deliver_batch(delivery_ids: list[int], alias: str) -> dict[int, str]:
    return delivery.deliveries_attempt(delivery_ids=delivery_ids, alias=alias)


@shared_task(name="commerce.eventbus.tasks.events_sweep")
def events_sweep() -> int:
    return dispatch.events_sweep()


@shared_task(name="commerce.eventbus.tasks.events_purge")
def events_purge() -> int:
    return housekeeping.events_purge()
