"""Bounded clean-up of the payments module: the test provider's ledger and the webhook inbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from modules.payments.models import ProcessedEvent, TestCall, TestIntent


def test_ledger_purge(*, now: datetime | None = None, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Forget the test provider's ledger and applied webhook ids past their retention, in bounded batches."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PAYMENTS_TEST_LEDGER_RETENTION_DAYS)
    removed = 0
    for model in (TestCall, TestIntent, ProcessedEvent):
        for _ in range(max_batches):
            ids = list(model.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            removed += model.objects.filter(pk__in=ids).delete()[0]
    return removed
