"""Allocation: which warehouse gives how much of each SKU. Pure functions, no database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from contracts.inventory import Shortage
from modules.inventory.selectors import StockPosition


@dataclass(frozen=True, slots=True, kw_only=True)
class Allocation:
    """A quantity of one SKU taken from one warehouse."""

    sku: str
    warehouse_id: int
    quantity: int


def allocate(
    *, wanted: Mapping[str, int], positions: Iterable[StockPosition]
) -> tuple[list[Allocation], list[Shortage]]:
    """Take each SKU from the free stock of active warehouses, by priority; list every SKU that falls short.

    All or nothing per SKU: a short SKU gets no allocation. Warehouses are
    tried by (priority, code), so the same stock always allocates the same way.
    """
    by_sku: dict[str, list[StockPosition]] = defaultdict(list)
    for position in positions:
        if position.active:
            by_sku[position.sku].append(position)
    allocations: list[Allocation] = []
    shortages: list[Shortage] = []
    for sku, quantity in sorted(wanted.items()):
        candidates = sorted(by_sku[sku], key=lambda p: (p.priority, p.warehouse_code))
        free = sum(p.free for p in candidates)
        if free < quantity:
            shortages.append(Shortage(sku=sku, requested=quantity, available=free))
            continue
        remaining = quantity
        for position in candidates:
            take = min(position.free, remaining)
            if take:
                allocations.append(Allocation(sku=sku, warehouse_id=position.warehouse_id, quantity=take))
                remaining -= take
            if not remaining:
                break
    return allocations, shortages
