"""The back office's dashboard: the top of the admin index, built from each module's own reads.

What a person running the shop looks at first: orders and revenue today and
over 30 days (per currency: amounts in different currencies are never
added), SKUs at or under their low-stock threshold, event deliveries that are
dead or stuck, and checkouts whose request died and wait for the recovery
task. Each section is shown only to who may see its rows in the admin, and
only when its module runs in this process; the numbers come from the
modules' selectors (the composition root may call them), the event bus's
from its tables in every database that holds some.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from kernel.money import money_display

# A delivery due this long ago and still not delivered is stuck: the sweeper should have picked it up.
STUCK_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class Revenue:
    currency: str
    orders: int
    revenue: str
    cancelled: int


@dataclass(slots=True, kw_only=True)
class Dashboard:
    """What the index shows; a section is None when this user may not see it or its module is not here."""

    today: list[Revenue] | None = None
    month: list[Revenue] | None = None
    low_stock: list[Any] | None = None
    low_stock_default: int = 0
    deliveries: dict[str, int] | None = None
    deliveries_oldest: datetime | None = None
    attempts: list[Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return all(getattr(self, name) is None for name in ("today", "low_stock", "deliveries", "attempts"))


def _revenue(rows: list[Any]) -> list[Revenue]:
    return [
        Revenue(currency=row.currency, orders=row.orders, revenue=money_display(row.revenue, row.currency), cancelled=row.cancelled)
        for row in rows
    ]


def deliveries_health(*, now: datetime) -> tuple[dict[str, int], datetime | None]:
    """Return counts of dead, retrying and stuck deliveries over every database holding an outbox, and the oldest due."""
    from commerce.eventbus.models import Delivery

    undelivered = Q(state__in=[Delivery.State.PENDING, Delivery.State.RETRYING])
    counts = {"dead": 0, "retrying": 0, "stuck": 0}
    oldest: datetime | None = None
    for alias in sorted(set(settings.MODULE_DATABASES.values()) or {"default"}):
        row = Delivery.objects.using(alias).aggregate(
            dead=Count("id", filter=Q(state=Delivery.State.DEAD)),
            retrying=Count("id", filter=Q(state=Delivery.State.RETRYING)),
            stuck=Count("id", filter=undelivered & Q(next_attempt_at__lt=now - STUCK_AFTER)),
            oldest=Min("next_attempt_at", filter=undelivered & Q(next_attempt_at__lt=now - STUCK_AFTER)),
        )
        for key in counts:
            counts[key] += row[key]
        if row["oldest"] is not None and (oldest is None or row["oldest"] < oldest):
            oldest = row["oldest"]
    return counts, oldest


def dashboard_build(*, user: Any, now: datetime | None = None) -> Dashboard:
    """Return the dashboard this ``user`` may see at ``now`` (today starts at midnight in the shop's time zone)."""
    now = now or timezone.now()
    board = Dashboard()
    if apps.is_installed("modules.checkout") and user.has_perm("checkout.view_order"):
        from modules.checkout import selectors as checkout

        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        board.today = _revenue(checkout.orders_totals(since=midnight))
        board.month = _revenue(checkout.orders_totals(since=now - timedelta(days=30)))
        board.attempts = checkout.attempts_awaiting_recovery(now=now)
    if apps.is_installed("modules.inventory") and user.has_perm("inventory.view_stocklevel"):
        from modules.inventory import selectors as inventory

        board.low_stock_default = settings.INVENTORY_LOW_STOCK_THRESHOLD
        board.low_stock = inventory.low_stock_skus(default=board.low_stock_default, limit=20, now=now)
    if user.has_perm("eventbus.view_delivery"):
        board.deliveries, board.deliveries_oldest = deliveries_health(now=now)
    return board
