"""The inventory contract, through the facade other modules use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.errors import InvalidInput, NotFound
from contracts.inventory import (
    BackInStock,
    LowStock,
    OutOfStock,
    OutOfStockReached,
    ReservationConflict,
    Shortage,
    StockReleased,
    StockReserved,
)
from modules.inventory.facade import InventoryFacade
from modules.inventory.models import LowStockThreshold, Reservation, StockLevel, StockMovement
from modules.inventory.services.movements import stock_move
from modules.inventory.services.reservations import reservations_expire
from modules.inventory.tests.conftest import ledger_consistent

inventory = InventoryFacade()


def lines(**quantities: int) -> list[SkuQuantity]:
    return [SkuQuantity(sku=sku.replace("_", "-"), quantity=q) for sku, q in quantities.items()]


def available(sku: str) -> int:
    return inventory.availability_get(skus=[sku])[sku].available


def expire(reference: str) -> None:
    Reservation.objects.filter(reference=reference).update(expires_at=timezone.now() - timedelta(seconds=1))


def on_hand(sku: str) -> int:
    return StockLevel.objects.filter(sku=sku).aggregate(total=Sum("on_hand"))["total"] or 0


# --- availability -----------------------------------------------------------------


def test_availability_is_on_hand_minus_holds_and_unknown_skus_are_zero(receive, django_assert_max_num_queries):
    receive("A", 5)
    receive("A", 3, warehouse="EAST")
    receive("B", 2)
    inventory.reservation_create(reference="r1", lines=lines(A=6))
    with django_assert_max_num_queries(1):
        result = inventory.availability_get(skus=["A", "B", "NOPE", "A"])
    assert {sku: a.available for sku, a in result.items()} == {"A": 2, "B": 2, "NOPE": 0}
    assert result["NOPE"].in_stock is False and result["A"].in_stock is True


def test_availability_of_many_skus_is_a_constant_number_of_queries(receive, django_assert_max_num_queries):
    receive("A", 1)
    with django_assert_max_num_queries(2):
        result = inventory.availability_get(skus=[f"SKU-{i}" for i in range(1500)])
    assert len(result) == 1500


def test_an_inactive_warehouse_sells_nothing(receive, warehouses):
    receive("A", 5)
    receive("A", 4, warehouse="EAST")
    warehouses["MAIN"].active = False
    warehouses["MAIN"].save()
    assert available("A") == 4
    with pytest.raises(OutOfStock):
        inventory.reservation_create(reference="r1", lines=lines(A=5))


def test_availability_refuses_a_string():
    with pytest.raises(InvalidInput):
        inventory.availability_get(skus="ABC")


# --- reserve -------------------------------------------------------------------------


def test_reserve_allocates_by_warehouse_priority_and_sums_repeated_skus(receive):
    receive("A", 3)
    receive("A", 10, warehouse="EAST")
    reservation = inventory.reservation_create(
        reference="r1", lines=[SkuQuantity(sku="A", quantity=2), SkuQuantity(sku="A", quantity=3)]
    )
    assert reservation.state == "active"
    assert reservation.lines == (SkuQuantity(sku="A", quantity=5),)
    allocation = dict(
        Reservation.objects.get(reference="r1").lines.values_list("warehouse__code", "quantity")
    )
    assert allocation == {"MAIN": 3, "EAST": 2}
    assert available("A") == 8


def test_reserve_is_all_or_nothing_and_names_every_short_sku(receive):
    receive("A", 5)
    receive("B", 1)
    with pytest.raises(OutOfStock) as caught:
        inventory.reservation_create(reference="r1", lines=lines(A=2, B=3, C=1))
    assert caught.value.shortages == (
        Shortage(sku="B", requested=3, available=1),
        Shortage(sku="C", requested=1, available=0),
    )
    assert caught.value.code == "out_of_stock"
    assert caught.value.extra["shortages"][0] == {"sku": "B", "requested": 3, "available": 1}
    assert not Reservation.objects.exists()
    assert available("A") == 5


def test_reserve_uses_the_default_ttl(receive, settings):
    settings.INVENTORY_RESERVATION_TTL_SECONDS = 120
    receive("A", 1)
    reservation = inventory.reservation_create(reference="r1", lines=lines(A=1))
    assert timedelta(seconds=115) < reservation.expires_at - timezone.now() <= timedelta(seconds=120)


def test_reserve_is_idempotent_for_an_active_reservation(receive):
    receive("A", 3)
    first = inventory.reservation_create(reference="r1", lines=lines(A=2))
    again = inventory.reservation_create(reference="r1", lines=lines(A=2))
    assert again == first
    assert available("A") == 1
    with pytest.raises(ReservationConflict) as caught:
        inventory.reservation_create(reference="r1", lines=lines(A=1))
    assert caught.value.code == "reservation_mismatch"


def test_reserve_again_after_release_or_expiry_holds_afresh(receive):
    receive("A", 3)
    inventory.reservation_create(reference="r1", lines=lines(A=2))
    inventory.reservation_release(reference="r1")
    assert inventory.reservation_create(reference="r1", lines=lines(A=3)).lines == tuple(lines(A=3))
    expire("r1")
    assert available("A") == 3
    assert inventory.reservation_create(reference="r1", lines=lines(A=1)).state == "active"
    assert available("A") == 2


@pytest.mark.parametrize(
    "bad_lines",
    [
        [],
        [SkuQuantity(sku="A", quantity=0)],
        [SkuQuantity(sku="A", quantity=-1)],
        [SkuQuantity(sku="A", quantity=1.5)],  # type: ignore[arg-type]
        [SkuQuantity(sku="A", quantity="2")],  # type: ignore[arg-type]
        [SkuQuantity(sku="A", quantity=True)],  # type: ignore[arg-type]
        [SkuQuantity(sku="A", quantity=10**12)],
        [SkuQuantity(sku="A", quantity=600_000), SkuQuantity(sku="A", quantity=600_000)],
        [SkuQuantity(sku="", quantity=1)],
        [SkuQuantity(sku=" A", quantity=1)],
        [SkuQuantity(sku="A" * 65, quantity=1)],
        [SkuQuantity(sku="A", quantity=1)] * 501,
    ],
)
def test_reserve_refuses_bad_input_and_moves_nothing(receive, bad_lines):
    receive("A", 5)
    with pytest.raises(InvalidInput):
        inventory.reservation_create(reference="r1", lines=bad_lines)
    assert not Reservation.objects.exists()
    assert available("A") == 5


@pytest.mark.parametrize("kwargs", [{"reference": ""}, {"reference": "x" * 101}, {"ttl_seconds": 0}, {"ttl_seconds": -5}])
def test_reserve_refuses_a_bad_reference_or_ttl(receive, kwargs):
    receive("A", 5)
    with pytest.raises(InvalidInput):
        inventory.reservation_create(**{"reference": "r1", "lines": lines(A=1), **kwargs})


def test_an_unknown_sku_is_out_of_stock_with_nothing_available(receive):
    with pytest.raises(OutOfStock) as caught:
        inventory.reservation_create(reference="r1", lines=lines(GHOST=1))
    assert caught.value.shortages == (Shortage(sku="GHOST", requested=1, available=0),)


# --- expiry ----------------------------------------------------------------------------


def test_an_expired_hold_stops_counting_before_the_task_runs(receive):
    receive("A", 2)
    inventory.reservation_create(reference="r1", lines=lines(A=2))
    assert available("A") == 0
    expire("r1")
    assert available("A") == 2
    assert inventory.reservation_create(reference="r2", lines=lines(A=2)).state == "active"


def test_expire_task_marks_expired_and_publishes(receive, events, django_capture_on_commit_callbacks):
    receive("A", 2)
    inventory.reservation_create(reference="r1", lines=lines(A=2))
    expire("r1")
    with django_capture_on_commit_callbacks(execute=True):
        assert reservations_expire() == 1
    assert Reservation.objects.get(reference="r1").state == "expired"
    released = [e for e in events if isinstance(e, StockReleased)]
    assert [(e.reference, e.lines) for e in released] == [("r1", tuple(lines(A=2)))]
    assert [e for e in events if isinstance(e, BackInStock)][0].available == 2
    assert reservations_expire() == 0


def test_commit_of_an_expired_hold_succeeds_while_the_stock_is_there(receive):
    receive("A", 2)
    inventory.reservation_create(reference="r1", lines=lines(A=2))
    expire("r1")
    committed = inventory.reservation_commit(reference="r1", order_number="O-1")
    assert committed.state == "committed"
    assert on_hand("A") == 0


def test_commit_of_an_expired_hold_whose_stock_was_taken_raises(receive):
    receive("A", 2)
    inventory.reservation_create(reference="r1", lines=lines(A=2))
    expire("r1")
    inventory.reservation_create(reference="r2", lines=lines(A=1))
    with pytest.raises(OutOfStock) as caught:
        inventory.reservation_commit(reference="r1", order_number="O-1")
    assert caught.value.shortages == (Shortage(sku="A", requested=2, available=1),)
    assert on_hand("A") == 2
    assert not StockMovement.objects.filter(kind="sale").exists()


def test_commit_of_an_expired_hold_moves_to_another_warehouse_when_needed(receive):
    receive("A", 1)
    receive("A", 1, warehouse="EAST")
    inventory.reservation_create(reference="r1", lines=lines(A=1))  # MAIN
    expire("r1")
    inventory.reservation_create(reference="r2", lines=lines(A=1))  # MAIN again
    inventory.reservation_commit(reference="r1", order_number="O-1")
    sale = StockMovement.objects.get(kind="sale")
    assert (sale.warehouse.code, sale.quantity, sale.reference) == ("EAST", -1, "O-1")
    assert ledger_consistent()


# --- commit, release, return -----------------------------------------------------------


def test_commit_writes_sales_and_is_idempotent(receive):
    receive("A", 3)
    receive("A", 5, warehouse="EAST")
    inventory.reservation_create(reference="O-1", lines=lines(A=4))
    first = inventory.reservation_commit(reference="O-1", order_number="O-1")
    second = inventory.reservation_commit(reference="O-1", order_number="O-1")
    assert first == second and first.state == "committed"
    sales = StockMovement.objects.filter(kind="sale", reference="O-1")
    assert sorted(sales.values_list("warehouse__code", "quantity")) == [("EAST", -1), ("MAIN", -3)]
    assert on_hand("A") == 4 and available("A") == 4
    assert ledger_consistent()


def test_commit_to_another_order_or_after_release_is_a_conflict(receive):
    receive("A", 3)
    inventory.reservation_create(reference="r1", lines=lines(A=1))
    inventory.reservation_commit(reference="r1", order_number="O-1")
    with pytest.raises(ReservationConflict):
        inventory.reservation_commit(reference="r1", order_number="O-2")
    with pytest.raises(ReservationConflict):
        inventory.reservation_create(reference="r1", lines=lines(A=1))
    inventory.reservation_create(reference="r2", lines=lines(A=1))
    inventory.reservation_release(reference="r2")
    with pytest.raises(ReservationConflict) as caught:
        inventory.reservation_commit(reference="r2", order_number="O-2")
    assert caught.value.code == "reservation_released"


def test_commit_of_an_unknown_reservation_is_not_found(db):
    with pytest.raises(NotFound):
        inventory.reservation_commit(reference="nope", order_number="O-1")


def test_release_is_idempotent_and_a_no_op_when_nothing_is_held(receive):
    receive("A", 3)
    inventory.reservation_create(reference="r1", lines=lines(A=3))
    inventory.reservation_release(reference="r1")
    inventory.reservation_release(reference="r1")
    inventory.reservation_release(reference="never")
    assert available("A") == 3
    assert Reservation.objects.get(reference="r1").state == "released"


def test_release_after_commit_changes_nothing(receive):
    receive("A", 3)
    inventory.reservation_create(reference="r1", lines=lines(A=2))
    inventory.reservation_commit(reference="r1", order_number="O-1")
    inventory.reservation_release(reference="r1")
    assert Reservation.objects.get(reference="r1").state == "committed"
    assert on_hand("A") == 1


def test_return_puts_back_what_was_sold_once(receive):
    receive("A", 3)
    receive("A", 3, warehouse="EAST")
    inventory.reservation_create(reference="O-1", lines=lines(A=5))
    inventory.reservation_commit(reference="O-1", order_number="O-1")
    inventory.order_stock_return(order_number="O-1")
    inventory.order_stock_return(order_number="O-1")
    returns = StockMovement.objects.filter(kind="return", reference="O-1")
    assert sorted(returns.values_list("warehouse__code", "quantity")) == [("EAST", 2), ("MAIN", 3)]
    assert on_hand("A") == 6 and available("A") == 6
    assert ledger_consistent()


def test_return_of_an_order_that_sold_nothing_is_a_no_op(db):
    inventory.order_stock_return(order_number="O-404")
    assert not StockMovement.objects.exists()


def test_return_before_commit_releases_the_hold_so_a_late_commit_cannot_sell(receive):
    receive("A", 2)
    inventory.reservation_create(reference="O-1", lines=lines(A=2))
    inventory.order_stock_return(order_number="O-1")
    assert available("A") == 2
    with pytest.raises(ReservationConflict):
        inventory.reservation_commit(reference="O-1", order_number="O-1")


def test_return_after_the_hold_expired_closes_it_so_a_late_commit_cannot_sell(receive):
    receive("A", 2)
    inventory.reservation_create(reference="O-2", lines=lines(A=2))
    Reservation.objects.filter(reference="O-2").update(expires_at=timezone.now() - timedelta(seconds=1))
    reservations_expire()
    inventory.order_stock_return(order_number="O-2")
    with pytest.raises(ReservationConflict):
        inventory.reservation_commit(reference="O-2", order_number="O-2")
    assert available("A") == 2 and on_hand("A") == 2


def test_commit_survives_a_count_that_found_less_only_if_stock_is_free(receive):
    receive("A", 4)
    inventory.reservation_create(reference="r1", lines=lines(A=3))
    stock_move(sku="A", warehouse_code="MAIN", kind="adjustment", quantity=-2, reason="count")
    assert available("A") == 0
    with pytest.raises(OutOfStock):
        inventory.reservation_commit(reference="r1", order_number="O-1")
    assert on_hand("A") == 2
    assert ledger_consistent()


# --- events ------------------------------------------------------------------------------


def test_events_of_reserve_release_and_stock_lines(receive, events, django_capture_on_commit_callbacks, settings):
    settings.INVENTORY_LOW_STOCK_THRESHOLD = 3
    LowStockThreshold.objects.create(sku="B", threshold=8)
    with django_capture_on_commit_callbacks(execute=True):
        receive("A", 5)
        receive("B", 10)
    assert [(type(e), e.sku) for e in events] == [(BackInStock, "A"), (BackInStock, "B")]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inventory.reservation_create(reference="r1", lines=lines(A=2, B=3))
    assert isinstance(events[0], StockReserved) and events[0].lines == tuple(lines(A=2, B=3))
    assert [(e.sku, e.available, e.threshold) for e in events if isinstance(e, LowStock)] == [("A", 3, 3), ("B", 7, 8)]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inventory.reservation_create(reference="r2", lines=lines(A=3))
    assert [type(e) for e in events] == [StockReserved, OutOfStockReached]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inventory.reservation_release(reference="r2")
        inventory.reservation_release(reference="r2")
    assert [type(e) for e in events] == [StockReleased, BackInStock]
    assert events[1].available == 3


def test_a_refused_reservation_publishes_nothing(receive, events, django_capture_on_commit_callbacks):
    receive("A", 1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OutOfStock):
        inventory.reservation_create(reference="r1", lines=lines(A=2))
    assert events == []
