"""Celery tasks of the inventory module: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from modules.inventory.services import housekeeping, reservations


@shared_task(name="modules.inventory.tasks.reservations_expire")
def reservations_expire() -> int:
    return reservations.reservations_expire()


@shared_task(name="modules.inventory.tasks.reservations_purge")
def reservations_purge() -> int:
    return housekeeping.reservations_purge()
