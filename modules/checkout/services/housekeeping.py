"""Periodic clean-up: abandoned carts, forgotten keys, and attempts whose request died unretried."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from kernel.transactions import atomic_for
from modules.checkout.models import Cart, CheckoutAttempt
from modules.checkout.selectors import order_document
from modules.checkout.services.attempts import (
    LeaseLost,
    attempt_finish,
    attempt_lease_end,
    attempt_owned,
    order_of_attempt,
)
from modules.checkout.services.orders import order_access_token_renew, order_settle, order_with_lines
from modules.checkout.services.placement import attempt_undo

logger = logging.getLogger(__name__)


def _batches_delete(queryset: QuerySet, *, batch_size: int, max_batches: int) -> int:
    """Delete what ``queryset`` selects, ``batch_size`` rows at a time; return how many rows of it went."""
    deleted = 0
    for _ in range(max_batches):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with atomic_for(queryset.model):
            queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def carts_purge(*, now: datetime | None = None, batch_size: int = 500, max_batches: int = 200) -> int:
    """Delete open carts untouched for longer than the configured age, in bounded batches."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHECKOUT_CART_MAX_AGE_DAYS)
    stale = Cart.objects.filter(status=Cart.Status.OPEN, updated_at__lt=cutoff)
    return _batches_delete(stale, batch_size=batch_size, max_batches=max_batches)


def checkout_attempts_abandon(*, now: datetime | None = None) -> int:
    """Finish attempts whose request died and that no retry resumed; return how many.

    An attempt is abandoned once its lease has been over for as long as a
    reservation lives. If its order exists, the order is settled and the
    attempt's response stored, so a late retry replays it; if not, the hold,
    the voucher use and the payment are undone by number. Each attempt is
    taken over (its lease renewed) first, so a late retry finds it busy
    instead of racing the clean-up.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS)
    finished = 0
    stale = CheckoutAttempt.objects.filter(state=CheckoutAttempt.State.IN_PROGRESS, locked_until__lt=cutoff)
    for attempt in stale:
        attempt.owner = secrets.token_hex(8)
        attempt.locked_until = attempt_lease_end(now)
        taken = CheckoutAttempt.objects.filter(pk=attempt.pk, locked_until__lt=cutoff).update(
            owner=attempt.owner, locked_until=attempt.locked_until
        )
        if not taken:
            continue  # a retry resumed it meanwhile
        order = order_of_attempt(attempt)
        if order is not None:
            try:
                order_settle(number=order.number)
            except Exception:
                logger.exception("settling %s failed; the OrderPlaced subscriber retries it", order.number)
            try:
                token = order_access_token_renew(order=order)
                attempt_finish(attempt=attempt, status=201, body=order_document(order=order_with_lines(pk=order.pk), access_token=token))
            except LeaseLost:
                continue
            finished += 1
        elif attempt_undo(number=attempt.order_number) and attempt_owned(attempt).delete()[0]:
            finished += 1
    return finished


def checkout_attempts_purge(*, now: datetime | None = None, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Forget finished Idempotency-Keys older than the configured time, in bounded batches; their orders stay."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.CHECKOUT_IDEMPOTENCY_TTL_HOURS)
    done = CheckoutAttempt.objects.filter(state=CheckoutAttempt.State.DONE, created_at__lt=cutoff)
    return _batches_delete(done, batch_size=batch_size, max_batches=max_batches)
