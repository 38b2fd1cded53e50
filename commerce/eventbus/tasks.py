"""Celery tasks of the event bus: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from commerce.eventbus import services


@shared_task(name="commerce.eventbus.tasks.deliver")
def deliver(delivery_id: int, alias: str) -> str | None:
    return services.delivery_attempt(delivery_id=delivery_id, alias=alias)


@shared_task(name="commerce.eventbus.tasks.events_sweep")
def events_sweep() -> int:
    return services.events_sweep()
