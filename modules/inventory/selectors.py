"""Inventory reads: stock positions and availability, a constant number of queries for any number of SKUs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from kernel.batching import chunked
from modules.inventory.models import (
    LowStockThreshold,
    Reservation,
    ReservationLine,
    StockLevel,
    Warehouse,
    holding_q,
    in_state_q,
)

# Keeps every ``IN (...)`` list well under SQLite's bound-parameter limit (see ``kernel.batching``).
SKU_CHUNK = 900


@dataclass(frozen=True, slots=True, kw_only=True)
class StockPosition:
    """One SKU in one warehouse: what is there and what active, unexpired reservations hold of it."""

    sku: str
    warehouse_id: int
    warehouse_code: str
    priority: int
    active: bool
    on_hand: int
    held: int
    level_id: int = 0
    # The SKU's own LowStock threshold, when asked for and it has one (else the global default applies).
    threshold: int | None = None

    @property
    def free(self) -> int:
        # On-hand may drop below what is held (a stock count found less): never offer a negative.
        return max(self.on_hand - self.held, 0)


def chunks(items: Iterable[str], size: int = SKU_CHUNK) -> Iterable[list[str]]:
    """Yield the distinct ``items`` in SKU order (the global lock order), in lists of at most ``size``.

    The chunking is ``kernel.batching.chunked``; what inventory adds is the
    order, so that locks taken chunk by chunk keep the one global order.
    """
    yield from chunked(sorted(set(items)), size)


def held_subquery(*, now: datetime, exclude_reservation_id: int | None = None) -> Coalesce:
    """Return the quantity held in the outer stock level's SKU and warehouse by active, unexpired reservations."""
    lines = ReservationLine.objects.filter(
        sku=OuterRef("sku"),
        warehouse=OuterRef("warehouse"),
    ).filter(holding_q(now=now, prefix="reservation__"))
    if exclude_reservation_id is not None:
        lines = lines.exclude(reservation_id=exclude_reservation_id)
    total = lines.order_by().values("sku").annotate(total=Sum("quantity")).values("total")[:1]
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def holds_by_level(*, now: datetime, exclude_reservation_id: int | None = None) -> dict[tuple[str, int], int]:
    """Return what every active, unexpired hold keeps per (SKU, warehouse id), in one statement.

    It reads the active holds only (index on state and expiry), however long the history of past reservations.
    """
    lines = ReservationLine.objects.filter(holding_q(now=now, prefix="reservation__"))
    if exclude_reservation_id is not None:
        lines = lines.exclude(reservation_id=exclude_reservation_id)
    return {
        (sku, warehouse_id): total
        for sku, warehouse_id, total in lines.order_by()
        .values("sku", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .values_list("sku", "warehouse_id", "total")
    }


def stock_positions(
    *,
    skus: Iterable[str],
    now: datetime | None = None,
    exclude_reservation_id: int | None = None,
    with_thresholds: bool = False,
    many: bool = False,
) -> list[StockPosition]:
    """Return the position of every stock level of ``skus`` (all warehouses), one query per 900 SKUs.

    Run it as its own statement after locking the stock rows: in READ COMMITTED
    each statement sees what committed before it started, so it sees every hold
    made by whoever held the locks before us. ``with_thresholds`` reads each
    SKU's LowStock threshold in the same statement (writers need it for events).
    ``many`` (thousands of SKUs, an import) reads what is held by one more
    statement over the active holds instead of a subquery per stock level.
    """
    now = now or timezone.now()
    held_by_level = holds_by_level(now=now, exclude_reservation_id=exclude_reservation_id) if many else None
    held = Value(0, output_field=IntegerField()) if many else held_subquery(
        now=now, exclude_reservation_id=exclude_reservation_id
    )
    threshold = (
        Subquery(LowStockThreshold.objects.filter(sku=OuterRef("sku")).values("threshold")[:1])
        if with_thresholds
        else Value(None, output_field=IntegerField())
    )
    positions: list[StockPosition] = []
    for chunk in chunks(skus):
        rows = (
            StockLevel.objects.filter(sku__in=chunk)
            .annotate(held=held, threshold=threshold)
            .order_by("sku", "warehouse__priority", "warehouse__code")
            .values_list(
                "sku",
                "warehouse_id",
                "warehouse__code",
                "warehouse__priority",
                "warehouse__active",
                "on_hand",
                "held",
                "pk",
                "threshold",
            )
        )
        positions.extend(
            StockPosition(
                sku=sku,
                warehouse_id=wid,
                warehouse_code=code,
                priority=prio,
                active=act,
                on_hand=on_hand,
                held=h if held_by_level is None else held_by_level.get((sku, wid), 0),
                level_id=pk,
                threshold=t,
            )
            for sku, wid, code, prio, act, on_hand, h, pk, t in rows
        )
    return positions


def availability_from_positions(
    *, skus: Iterable[str], positions: Iterable[StockPosition], extra_holds: Mapping[tuple[str, int], int] | None = None
) -> dict[str, int]:
    """Return available per SKU: free stock of active warehouses; ``extra_holds`` counts as held too."""
    extra = extra_holds or {}
    available = dict.fromkeys(skus, 0)
    for p in positions:
        if p.active and p.sku in available:
            free = p.on_hand - p.held - extra.get((p.sku, p.warehouse_id), 0)
            available[p.sku] += max(free, 0)
    return available


def availability_map(*, skus: Iterable[str], now: datetime | None = None) -> dict[str, int]:
    """Return what can still be sold of each of ``skus``: on hand minus active holds, never negative; unknown 0."""
    skus = list(dict.fromkeys(skus))
    return availability_from_positions(skus=skus, positions=stock_positions(skus=skus, now=now))


def low_stock_thresholds(*, skus: Iterable[str], default: int) -> dict[str, int]:
    """Return the LowStock threshold of each SKU: its own, else ``default``."""
    skus = list(skus)
    thresholds = dict.fromkeys(skus, default)
    for chunk in chunks(skus):
        thresholds.update(LowStockThreshold.objects.filter(sku__in=chunk).values_list("sku", "threshold"))
    return thresholds


def reservation_lines_by_sku(*, reservation: Reservation) -> dict[str, int]:
    """Return the quantity held per SKU (summed over warehouses) of ``reservation``.

    Lines a service has just written or read are kept on the instance (prefetched), so this reads nothing then.
    """
    totals: dict[str, int] = defaultdict(int)
    for line in reservation.lines.all():
        totals[line.sku] += line.quantity
    return dict(sorted(totals.items()))


def reservations_in_state(*, state: str, now: datetime | None = None) -> QuerySet[Reservation]:
    """Return reservations in the state a person means: ``expired`` includes active ones past their time."""
    return Reservation.objects.filter(in_state_q(state=state, now=now or timezone.now()))


# The columns of the stock export: one row per SKU and warehouse.
STOCK_EXPORT_HEADER = ("sku", "warehouse", "warehouse_name", "warehouse_active", "on_hand", "held", "free")


def stock_export_rows(*, levels: QuerySet[StockLevel] | None = None, now: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """Yield the stock export's rows (``STOCK_EXPORT_HEADER``) of ``levels`` (all when None), by SKU and warehouse.

    ``held`` is what active, unexpired reservations hold there now; ``free`` is
    on hand minus held, never negative. Streamed in chunks.
    """
    queryset = (StockLevel.objects.all() if levels is None else levels).annotate(held=held_subquery(now=now or timezone.now()))
    rows = queryset.order_by("sku", "warehouse__priority", "warehouse__code").values_list(
        "sku", "warehouse__code", "warehouse__name", "warehouse__active", "on_hand", "held"
    )
    for sku, code, name, active, on_hand, held in rows.iterator(chunk_size=2000):
        yield sku, code, name, active, on_hand, held, max(on_hand - held, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class LowStockSku:
    """A SKU whose free stock (active warehouses) is at or under its LowStock threshold."""

    sku: str
    available: int
    threshold: int


def low_stock_skus(*, default: int, limit: int = 20, now: datetime | None = None) -> list[LowStockSku]:
    """Return the SKUs with the least free stock at or under their threshold (``default`` when they have none).

    One statement for the whole catalog: free stock per level (on hand minus
    active holds, never negative) summed over the active warehouses.
    """
    free = Greatest(F("on_hand") - held_subquery(now=now or timezone.now()), Value(0))
    threshold = Coalesce(
        Subquery(LowStockThreshold.objects.filter(sku=OuterRef("sku")).values("threshold")[:1]), Value(default)
    )
    rows = (
        StockLevel.objects.filter(warehouse__active=True)
        .values("sku")
        .annotate(available=Sum(free), threshold=threshold)
        .filter(available__lte=F("threshold"))
        .order_by("available", "sku")
        .values_list("sku", "available", "threshold")[:limit]
    )
    return [LowStockSku(sku=sku, available=available, threshold=threshold) for sku, available, threshold in rows]


@dataclass(frozen=True, slots=True, kw_only=True)
class WarehouseRow:
    """A warehouse with how many SKUs it stocks and how many units it has on hand."""

    code: str
    name: str
    priority: int
    active: bool
    skus: int
    on_hand: int


def warehouses_list() -> list[WarehouseRow]:
    """Return every warehouse in allocation order (priority, then code) with its stock in one statement."""
    rows = (
        Warehouse.objects.annotate(skus=Count("stock_levels", filter=Q(stock_levels__on_hand__gt=0)),
                                   units=Coalesce(Sum("stock_levels__on_hand"), Value(0)))
        .order_by("priority", "code")
        .values_list("code", "name", "priority", "active", "skus", "units")
    )
    return [
        WarehouseRow(code=code, name=name, priority=priority, active=active, skus=skus, on_hand=units)
        for code, name, priority, active, skus, units in rows
    ]
