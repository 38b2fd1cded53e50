"""No oversell, no deadlock: real threads, real transactions, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from contracts.common import SkuQuantity
from contracts.inventory import InventoryBusy, OutOfStock
from modules.inventory.facade import InventoryFacade
from modules.inventory.models import Reservation, StockLevel, StockMovement
from modules.inventory.tests.conftest import ledger_consistent

inventory = InventoryFacade()


@pytest.fixture
def sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant; this run uses " + connection.vendor)


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same moment; return each result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # collected and asserted on by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def fifty_buyers_race_for_ten() -> None:
    def buy(i: int) -> str:
        try:
            inventory.reservation_create(reference=f"buyer-{i}", lines=[SkuQuantity(sku="HOT", quantity=1)])
        except OutOfStock:
            return "refused"
        inventory.reservation_commit(reference=f"buyer-{i}", order_number=f"O-{i}")
        return "bought"

    results = run_together(50, buy)

    assert [r for r in results if r not in ("bought", "refused")] == []
    assert results.count("bought") == 10
    assert results.count("refused") == 40
    assert StockLevel.objects.filter(sku="HOT").aggregate(total=Sum("on_hand"))["total"] == 0
    assert StockMovement.objects.filter(sku="HOT").aggregate(total=Sum("quantity"))["total"] == 0
    assert StockMovement.objects.filter(sku="HOT", kind="sale").count() == 10
    assert Reservation.objects.filter(state="committed").count() == 10
    assert inventory.availability_get(skus=["HOT"])["HOT"].available == 0
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    assert ledger_consistent()


def test_fifty_buyers_race_for_ten_on_sqlite(transactional_db, sqlite, receive):
    receive("HOT", 10)
    fifty_buyers_race_for_ten()


@pytest.mark.services
def test_fifty_buyers_race_for_ten_on_postgres(transactional_db, postgres, receive):
    receive("HOT", 10)
    fifty_buyers_race_for_ten()


def test_fifty_buyers_race_for_ten_split_over_two_warehouses(transactional_db, receive):
    receive("HOT", 4)
    receive("HOT", 6, warehouse="EAST")
    fifty_buyers_race_for_ten()


def test_opposite_orders_never_deadlock_into_an_error(transactional_db, receive):
    for sku in ("A", "B", "C"):
        receive(sku, 500)
        receive(sku, 500, warehouse="EAST")
    forward = [SkuQuantity(sku=s, quantity=1) for s in ("A", "B", "C")]
    backward = list(reversed(forward))

    def shop(i: int) -> str:
        for round_ in range(5):
            reference = f"t{i}-{round_}"
            inventory.reservation_create(reference=reference, lines=forward if i % 2 else backward)
            if round_ % 2:
                inventory.reservation_commit(reference=reference, order_number=reference)
            else:
                inventory.reservation_release(reference=reference)
        return "ok"

    results = run_together(16, shop)

    assert results == ["ok"] * 16
    assert StockMovement.objects.filter(kind="sale").aggregate(total=Sum("quantity"))["total"] == -16 * 2 * 3
    assert ledger_consistent()


@pytest.mark.services
def test_a_stuck_lock_fails_fast_as_inventory_busy(transactional_db, postgres, receive):
    receive("A", 5)
    locked, done = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                list(StockLevel.objects.select_for_update().filter(sku="A"))
                locked.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(InventoryBusy) as caught:
            inventory.reservation_create(reference="r1", lines=[SkuQuantity(sku="A", quantity=1)])
        assert caught.value.code == "inventory_busy"
    finally:
        done.set()
        holder.join()
    assert not Reservation.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def test_the_same_reference_sent_at_once_holds_once(transactional_db, receive):
    receive("A", 5)

    def reserve(i: int) -> tuple[str, tuple[SkuQuantity, ...]]:
        reservation = inventory.reservation_create(reference="same", lines=[SkuQuantity(sku="A", quantity=2)])
        return reservation.state, reservation.lines

    results = run_together(12, reserve)

    assert results == [("active", (SkuQuantity(sku="A", quantity=2),))] * 12
    assert Reservation.objects.count() == 1
    assert inventory.availability_get(skus=["A"])["A"].available == 3
