"""Celery tasks of checkout: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from modules.checkout.services import housekeeping


@shared_task(name="modules.checkout.tasks.carts_purge")
def carts_purge() -> int:
    return housekeeping.carts_purge()


@shared_task(name="modules.checkout.tasks.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    return housekeeping.checkout_attempts_purge()


@shared_task(name="modules.checkout.tasks.checkout_attempts_abandon")
def checkout_attempts_abandon() -> int:
    return housekeeping.checkout_attempts_abandon()

