"""Celery tasks of the inventory module: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from modules.inventory.services import reservations


@shared_task(name="modules.inventory.tasks.reservations_expire")
def reservations_expire() -> int:
    return reservations.reservations_expire()
