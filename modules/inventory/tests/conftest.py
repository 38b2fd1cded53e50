"""Fixtures of the inventory tests: warehouses, stock through the ledger, an event probe."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db.models import Sum

from contracts.container import services_override
from contracts.events import Event
from modules.inventory.models import StockLevel, StockMovement, Warehouse
from modules.inventory.services.movements import stock_move
from tests.fakes.catalog import FakeCatalog


@pytest.fixture
def catalog() -> Iterator[FakeCatalog]:
    """The verified fake catalog (tests/fakes), selling every SKU a test mentions except those in ``unknown``."""
    fake = FakeCatalog(knows_every_sku=True)
    with services_override(catalog=fake):
        yield fake


@pytest.fixture
def warehouses(db: None) -> dict[str, Warehouse]:
    """Two warehouses; transactional when the test also asks for ``transactional_db`` (pytest-django)."""
    return {
        "MAIN": Warehouse.objects.create(code="MAIN", name="Main", priority=1),
        "EAST": Warehouse.objects.create(code="EAST", name="East", priority=2),
    }


@pytest.fixture
def receive(warehouses: dict[str, Warehouse], catalog: FakeCatalog) -> Callable[..., None]:
    """Receive stock through the service, so on-hand always comes with its ledger row."""

    def receive(sku: str, quantity: int, warehouse: str = "MAIN") -> None:
        stock_move(sku=sku, warehouse_code=warehouse, kind="receipt", quantity=quantity, reason="test")

    return receive


@pytest.fixture
def events(event_probe) -> list[Event]:
    """Collect every inventory event delivered (after commit) while the test runs."""
    return event_probe("inventory")


def ledger_consistent() -> bool:
    """Return whether every stock level's on-hand equals the sum of its ledger rows."""
    sums = {
        (row["sku"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.values("sku", "warehouse_id").annotate(total=Sum("quantity"))
    }
    levels = {(level.sku, level.warehouse_id): level.on_hand for level in StockLevel.objects.all()}
    return all(sums.get(key, 0) == on_hand for key, on_hand in levels.items()) and set(sums) <= set(levels)
