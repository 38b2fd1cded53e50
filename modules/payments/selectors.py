"""Reads of the payments module."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from modules.payments.models import Payment, Refund


def payment_of_order(*, order_number: str) -> Payment | None:
    return Payment.objects.filter(order_number=order_number).first()


def payments_stuck(*, before: datetime, statuses: tuple[str, ...]) -> QuerySet[Payment]:
    """Sessions in one of ``statuses`` that have not moved since ``before``, oldest first."""
    return Payment.objects.filter(status__in=statuses, updated_at__lt=before).order_by("updated_at", "id")


def refunds_pending(*, before: datetime) -> QuerySet[Refund]:
    """Refunds whose provider answer was never recorded."""
    return Refund.objects.filter(status="pending", created_at__lt=before).select_related("payment")
