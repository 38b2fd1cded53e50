"""Allocation by warehouse priority, as properties over random stock (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.inventory import Shortage
from modules.inventory.selectors import StockPosition
from modules.inventory.services.allocation import Allocation, allocate

SKUS = ["A", "B", "C"]
WAREHOUSES = [(1, "MAIN", 1), (2, "EAST", 2), (3, "WEST", 2)]


def position(sku: str, warehouse: tuple[int, str, int], *, on_hand: int, held: int = 0, active: bool = True) -> StockPosition:
    warehouse_id, code, priority = warehouse
    return StockPosition(
        sku=sku, warehouse_id=warehouse_id, warehouse_code=code, priority=priority, active=active, on_hand=on_hand, held=held
    )


def test_takes_by_priority_then_code_and_splits_over_warehouses():
    positions = [
        position("A", WAREHOUSES[2], on_hand=5),
        position("A", WAREHOUSES[1], on_hand=5),
        position("A", WAREHOUSES[0], on_hand=3, held=1),
    ]
    allocations, shortages = allocate(wanted={"A": 6}, positions=positions)
    assert shortages == []
    assert allocations == [
        Allocation(sku="A", warehouse_id=1, quantity=2),
        Allocation(sku="A", warehouse_id=2, quantity=4),
    ]


def test_inactive_warehouses_and_over_held_stock_give_nothing():
    positions = [
        position("A", WAREHOUSES[0], on_hand=10, active=False),
        position("A", WAREHOUSES[1], on_hand=2, held=5),
        position("A", WAREHOUSES[2], on_hand=1),
    ]
    allocations, shortages = allocate(wanted={"A": 2, "GHOST": 1}, positions=positions)
    assert allocations == []
    assert shortages == [Shortage(sku="A", requested=2, available=1), Shortage(sku="GHOST", requested=1, available=0)]


_positions = st.lists(
    st.builds(
        position,
        st.sampled_from(SKUS),
        st.sampled_from(WAREHOUSES),
        on_hand=st.integers(0, 20),
        held=st.integers(0, 20),
        active=st.booleans(),
    ),
    max_size=9,
    unique_by=lambda p: (p.sku, p.warehouse_id),
)


@given(positions=_positions, wanted=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 40), min_size=1))
def test_a_sku_is_taken_whole_from_free_stock_or_named_short_with_what_is_free(positions, wanted):
    allocations, shortages = allocate(wanted=wanted, positions=positions)
    free = {(p.sku, p.warehouse_id): p.free for p in positions if p.active}
    short = {s.sku: s for s in shortages}
    for sku, quantity in wanted.items():
        taken = [a for a in allocations if a.sku == sku]
        available = sum(f for (s, _), f in free.items() if s == sku)
        if sku in short:
            assert taken == [] and short[sku] == Shortage(sku=sku, requested=quantity, available=available)
        else:
            assert available >= quantity and sum(a.quantity for a in taken) == quantity
    for a in allocations:
        assert 0 < a.quantity <= free[(a.sku, a.warehouse_id)]
