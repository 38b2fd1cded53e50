"""Statement and transaction budgets of the inventory calls on checkout's request path and the listing's.

A budget moves only with a written reason beside it. Counted on the inventory
database's connection, BEGIN and COMMIT included, with real transactions
(``transactional_db``), the way checkout calls the facade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from contracts.common import SkuQuantity
from modules.inventory.facade import InventoryFacade
from modules.inventory.models import LowStockThreshold
from modules.inventory.services.locking import inventory_db

inventory = InventoryFacade()

# reservation_create of a new reference, any number of lines (PostgreSQL; SQLite sends no lock statement: 8):
# BEGIN, INSERT the reservation (ON CONFLICT DO NOTHING: it is locked by being ours, no select first),
# SELECT ... FOR UPDATE of every stock row of the SKUs in one statement (global order), SELECT the positions
# in a new statement (it must see holds committed while we waited for the locks) with the LowStock thresholds,
# one INSERT of all lines, StockReserved (the bus: SAVEPOINT, outbox INSERT, RELEASE), COMMIT.
# Threshold events only when a SKU crosses one (none here). The facade reads nothing back.
CREATE_STATEMENTS = 9
# reservation_commit (PostgreSQL; SQLite 8): BEGIN, SELECT the reservation FOR UPDATE, SELECT its lines in a new
# statement (as the last writer of the reservation left them), lock the stock rows, read the positions, one
# conditional UPDATE of every stock row taken, one INSERT of the sale rows, UPDATE the reservation, COMMIT.
# A hold that still holds crosses no threshold (held becomes sold), so no event.
COMMIT_STATEMENTS = 9
# availability_get: one SELECT of the stock levels with the held quantity as a correlated subquery, no transaction.
AVAILABILITY_STATEMENTS = 1


@contextmanager
def counted() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connections[inventory_db()]) as context:
        yield context


def transactions(context: CaptureQueriesContext) -> int:
    return sum(1 for query in context.captured_queries if query["sql"].upper().startswith("BEGIN"))


@pytest.fixture
def stocked(transactional_db, receive) -> None:
    for sku in ("A", "B", "C", "D"):
        receive(sku, 50)
        receive(sku, 50, warehouse="EAST")


@pytest.mark.parametrize("skus", [["A"], ["B", "C", "D"]], ids=["1-line", "3-line"])
def test_reservation_create_and_commit_budget(stocked, skus):
    lines = [SkuQuantity(sku=sku, quantity=60) for sku in skus]  # split over both warehouses
    with counted() as create:
        reservation = inventory.reservation_create(reference="r1", lines=lines)
    assert reservation.lines == tuple(lines)
    assert len(create.captured_queries) <= CREATE_STATEMENTS, [q["sql"] for q in create.captured_queries]
    assert transactions(create) == 1
    with counted() as commit:
        committed = inventory.reservation_commit(reference="r1", order_number="O-1")
    assert committed.state == "committed" and committed.lines == tuple(lines)
    assert len(commit.captured_queries) <= COMMIT_STATEMENTS, [q["sql"] for q in commit.captured_queries]
    assert transactions(commit) == 1


def test_a_reservation_crossing_a_threshold_pays_only_for_its_event(stocked):
    LowStockThreshold.objects.create(sku="A", threshold=80)
    with counted() as create:
        inventory.reservation_create(reference="r1", lines=[SkuQuantity(sku="A", quantity=30)])
    # The thresholds came with the positions: only the LowStock event itself (savepoint, outbox row, release) is added.
    assert len(create.captured_queries) <= CREATE_STATEMENTS + 3
    assert sum("eventbus_outboxevent" in q["sql"] for q in create.captured_queries) == 2


@pytest.mark.parametrize("count", [1, 100, 1500])
def test_availability_budget_for_any_number_of_skus(stocked, count):
    skus = ["A", "B", *(f"SKU-{i}" for i in range(count))][:count]
    with counted() as context:
        inventory.availability_get(skus=skus)
    # Above 900 SKUs the query is cut in chunks (SQLite's bound-parameter limit): a listing asks for at most 300.
    assert len(context.captured_queries) <= AVAILABILITY_STATEMENTS * (1 + (count - 1) // 900)
    assert transactions(context) == 0
