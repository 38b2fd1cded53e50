"""Celery tasks of the payments module: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from modules.payments.services import housekeeping, reconcile


@shared_task(name="modules.payments.tasks.payments_reconcile")
def payments_reconcile() -> int:
    return len(reconcile.payments_reconcile())


@shared_task(name="modules.payments.tasks.test_ledger_purge")
def test_ledger_purge() -> int:
    return housekeeping.test_ledger_purge()
