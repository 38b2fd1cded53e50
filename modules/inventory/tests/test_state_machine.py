"""A stateful property test: any sequence of operations keeps the ledger, holds and sales consistent."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from contracts.common import SkuQuantity
from contracts.errors import ContractError
from contracts.inventory import OutOfStock, ReservationConflict
from modules.inventory import selectors
from modules.inventory.facade import InventoryFacade
from modules.inventory.models import Reservation, ReservationLine, StockLevel, StockMovement, Warehouse
from modules.inventory.services.movements import stock_move
from modules.inventory.services.reservations import reservations_expire
from modules.inventory.tests.conftest import ledger_consistent

SKUS = ("A", "B", "C")
inventory = InventoryFacade()


class InventoryMachine(RuleBasedStateMachine):
    """Drives the real services and checks them against a tiny model of totals per SKU."""

    def __init__(self) -> None:
        super().__init__()
        # Every example runs in the same test transaction: start from nothing.
        for model in (ReservationLine, Reservation, StockMovement, StockLevel):
            model.objects.all().delete()
        for code, priority in (("MAIN", 1), ("EAST", 2)):
            Warehouse.objects.get_or_create(code=code, defaults={"name": code, "priority": priority})
        self.on_hand: dict[str, int] = defaultdict(int)
        self.wanted: dict[str, dict[str, int]] = {}  # reference -> SKU -> quantity
        self.state: dict[str, str] = {}  # reference -> active / expired / released / committed
        self.returned: set[str] = set()
        self.counter = 0

    def available(self, sku: str) -> int:
        held = sum(w.get(sku, 0) for ref, w in self.wanted.items() if self.state[ref] == "active")
        return self.on_hand[sku] - held

    # --- rules -------------------------------------------------------------------

    @rule(sku=st.sampled_from(SKUS), warehouse=st.sampled_from(("MAIN", "EAST")), quantity=st.integers(1, 5))
    def receive(self, sku: str, warehouse: str, quantity: int) -> None:
        stock_move(sku=sku, warehouse_code=warehouse, kind="receipt", quantity=quantity)
        self.on_hand[sku] += quantity

    @rule(lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=3))
    def reserve(self, lines: list[tuple[str, int]]) -> None:
        self.counter += 1
        reference = f"R{self.counter}"
        wanted: dict[str, int] = defaultdict(int)
        for sku, quantity in lines:
            wanted[sku] += quantity
        enough = all(quantity <= self.available(sku) for sku, quantity in wanted.items())
        try:
            reservation = inventory.reservation_create(
                reference=reference, lines=[SkuQuantity(sku=s, quantity=q) for s, q in lines]
            )
        except OutOfStock as error:
            assert not enough
            assert {s.sku: s.available for s in error.shortages} == {
                sku: max(self.available(sku), 0) for sku, quantity in wanted.items() if quantity > self.available(sku)
            }
            return
        assert enough
        assert {line.sku: line.quantity for line in reservation.lines} == wanted
        self.wanted[reference] = dict(wanted)
        self.state[reference] = "active"

    @precondition(lambda self: self.state)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        reference = data.draw(st.sampled_from(sorted(self.state)))
        inventory.reservation_release(reference=reference)
        if self.state[reference] in ("active", "expired_by_time"):
            self.state[reference] = "released"

    @precondition(lambda self: self.state)
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        reference = data.draw(st.sampled_from(sorted(self.state)))
        state = self.state[reference]
        try:
            inventory.reservation_commit(reference=reference, order_number=reference)
        except ReservationConflict:
            assert state == "released"
            return
        except OutOfStock:
            assert state in ("expired", "expired_by_time")
            assert any(q > self.available(sku) for sku, q in self.wanted[reference].items())
            return
        assert state != "released"
        if state in ("expired", "expired_by_time"):
            assert all(q <= self.available(sku) for sku, q in self.wanted[reference].items())
        if state != "committed":
            for sku, quantity in self.wanted[reference].items():
                self.on_hand[sku] -= quantity
            self.state[reference] = "committed"

    @precondition(lambda self: "active" in self.state.values())
    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        """Move a hold's time limit into the past: it stops counting at once."""
        reference = data.draw(st.sampled_from(sorted(r for r, s in self.state.items() if s == "active")))
        Reservation.objects.filter(reference=reference).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.state[reference] = "expired_by_time"

    @rule()
    def expire_task(self) -> None:
        expected = sum(1 for s in self.state.values() if s == "expired_by_time")
        assert reservations_expire() == expected
        for reference, state in self.state.items():
            if state == "expired_by_time":
                self.state[reference] = "expired"

    @precondition(lambda self: "committed" in self.state.values())
    @rule(data=st.data())
    def return_stock(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(sorted(r for r, s in self.state.items() if s == "committed")))
        inventory.order_stock_return(order_number=order)
        if order not in self.returned:
            self.returned.add(order)
            for sku, quantity in self.wanted[order].items():
                self.on_hand[sku] += quantity

    @rule(sku=st.sampled_from(SKUS), quantity=st.integers(-5, 0) | st.integers(1_000_001, 10**9))
    def bad_input_moves_nothing(self, sku: str, quantity: int) -> None:
        with pytest.raises(ContractError):
            inventory.reservation_create(reference="bad", lines=[SkuQuantity(sku=sku, quantity=quantity)])

    # --- invariants ----------------------------------------------------------------

    @invariant()
    def on_hand_is_the_sum_of_the_ledger(self) -> None:
        assert ledger_consistent()
        assert not StockLevel.objects.filter(on_hand__lt=0).exists()
        totals = dict(StockLevel.objects.values("sku").annotate(t=Sum("on_hand")).values_list("sku", "t"))
        assert {sku: totals.get(sku, 0) for sku in SKUS} == {sku: self.on_hand[sku] for sku in SKUS}

    @invariant()
    def available_is_on_hand_minus_active_holds(self) -> None:
        now = timezone.now()
        held = dict(
            ReservationLine.objects.filter(reservation__state="active", reservation__expires_at__gt=now)
            .values("sku")
            .annotate(t=Sum("quantity"))
            .values_list("sku", "t")
        )
        available = selectors.availability_map(skus=SKUS)
        for sku in SKUS:
            assert available[sku] == self.on_hand[sku] - held.get(sku, 0) == self.available(sku)
            assert available[sku] >= 0

    @invariant()
    def committed_is_what_was_sold_and_returned_what_came_back(self) -> None:
        committed = ReservationLine.objects.filter(reservation__state="committed").aggregate(t=Sum("quantity"))["t"]
        sold = StockMovement.objects.filter(kind="sale").aggregate(t=Sum("quantity"))["t"]
        assert (committed or 0) == -(sold or 0)
        returned = ReservationLine.objects.filter(reservation__returned_at__isnull=False).aggregate(
            t=Sum("quantity")
        )["t"]
        came_back = StockMovement.objects.filter(kind="return").aggregate(t=Sum("quantity"))["t"]
        assert (returned or 0) == (came_back or 0)


def test_inventory_state_machine(db, catalog):
    run_state_machine_as_test(
        InventoryMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
