"""Demo data of the inventory module: two warehouses and deterministic stock for the demo SKUs."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from django.db import router, transaction

from modules.inventory.models import StockLevel, StockMovement, Warehouse
from modules.inventory.selectors import chunks

DEMO_WAREHOUSES = (("MAIN", "Main warehouse", 1), ("EAST", "East warehouse", 2))


def _demo_on_hand(sku: str) -> tuple[int, int]:
    """Return (MAIN, EAST) on-hand for ``sku``: the same every run; about 5% sold out and 10% low."""
    h = zlib.crc32(sku.encode())
    bucket = h % 20
    if bucket == 0:
        return 0, 0
    if bucket in (1, 2):
        return 1 + h % 3, 0
    return 10 + (h >> 5) % 90, (h >> 12) % 30


def inventory_demo_seed(*, skus: Sequence[str]) -> int:
    """Give every SKU a stock level in each demo warehouse; return how many stock levels the SKUs have.

    Idempotent: levels that exist are left alone (they may have sold since).
    Each new level's stock arrives as one ledger row of kind import, so
    on-hand equals the ledger. Bulk inserts, no events: this is a load, not
    a business change.
    """
    with transaction.atomic(using=router.db_for_write(StockLevel)):
        warehouses = []
        for code, name, priority in DEMO_WAREHOUSES:
            warehouse, _ = Warehouse.objects.get_or_create(code=code, defaults={"name": name, "priority": priority})
            warehouses.append(warehouse)
        existing: set[tuple[str, int]] = set()
        for chunk in chunks(skus):
            existing.update(StockLevel.objects.filter(sku__in=chunk).values_list("sku", "warehouse_id"))
        levels: list[StockLevel] = []
        movements: list[StockMovement] = []
        for sku in dict.fromkeys(skus):
            for warehouse, on_hand in zip(warehouses, _demo_on_hand(sku), strict=True):
                if (sku, warehouse.pk) in existing:
                    continue
                levels.append(StockLevel(sku=sku, warehouse=warehouse, on_hand=on_hand))
                if on_hand:
                    movements.append(
                        StockMovement(
                            sku=sku,
                            warehouse=warehouse,
                            kind=StockMovement.Kind.IMPORT,
                            quantity=on_hand,
                            reason="demo seed",
                            reference="demo",
                            actor="seed_demo",
                        )
                    )
        StockLevel.objects.bulk_create(levels, batch_size=2000)
        StockMovement.objects.bulk_create(movements, batch_size=2000)
    return len(existing) + len(levels)
