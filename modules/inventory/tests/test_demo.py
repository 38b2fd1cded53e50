"""Demo stock: deterministic, idempotent, fast, and on-hand equal to the ledger."""

from __future__ import annotations

import time

from modules.inventory.demo import inventory_demo_seed
from modules.inventory.models import StockLevel, StockMovement, Warehouse
from modules.inventory.tests.conftest import ledger_consistent


def test_demo_seed_is_idempotent_and_matches_the_ledger(db):
    skus = [f"DEMO-{i}" for i in range(3000)]
    started = time.monotonic()
    assert inventory_demo_seed(skus=skus) == 6000
    assert time.monotonic() - started < 10
    assert list(Warehouse.objects.values_list("code", "priority")) == [("MAIN", 1), ("EAST", 2)]
    movements = StockMovement.objects.count()
    assert inventory_demo_seed(skus=skus) == 6000
    assert StockMovement.objects.count() == movements
    assert ledger_consistent()
    totals: dict[str, int] = {}
    for sku, on_hand in StockLevel.objects.values_list("sku", "on_hand"):
        totals[sku] = totals.get(sku, 0) + on_hand
    assert 0 < sum(1 for t in totals.values() if t == 0) < 300  # some sold out
    assert sum(1 for t in totals.values() if 0 < t <= 5) > 100  # some low
