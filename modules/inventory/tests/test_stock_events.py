"""The OutOfStock / BackInStock / LowStock rule (no database)."""

from __future__ import annotations

from contracts.inventory import BackInStock, LowStock, OutOfStockReached
from modules.inventory.services.stock_events import low_stock_candidates, stock_events_for


def names(events: list) -> list[tuple[str, str]]:
    return [(type(e).__name__, e.sku) for e in events]


def test_only_crossings_publish():
    before = {"OUT": 3, "BACK": 0, "LOW": 8, "STILL_HIGH": 20, "STILL_LOW": 4, "SAME": 2, "UP": 3}
    after = {"OUT": 0, "BACK": 2, "LOW": 5, "STILL_HIGH": 10, "STILL_LOW": 3, "SAME": 2, "UP": 9}
    thresholds = dict.fromkeys(after, 5)
    events = stock_events_for(before=before, after=after, thresholds=thresholds)
    assert names(events) == [("BackInStock", "BACK"), ("LowStock", "LOW"), ("OutOfStockReached", "OUT")]
    assert events[0] == BackInStock(sku="BACK", available=2, event_id=events[0].event_id, occurred_at=events[0].occurred_at)
    assert isinstance(events[1], LowStock) and (events[1].available, events[1].threshold) == (5, 5)
    assert isinstance(events[2], OutOfStockReached)


def test_only_a_drop_that_stays_above_zero_needs_a_threshold():
    before = {"A": 10, "B": 1, "C": 0, "D": 4}
    after = {"A": 4, "B": 0, "C": 3, "D": 4}
    assert low_stock_candidates(before=before, after=after) == ["A"]


def test_no_event_shares_its_wire_name_with_a_contract_error():
    """An event is a fact and an error a refusal: on the wire they never go by the same name."""
    import importlib
    import pkgutil

    import contracts
    from contracts.errors import ContractError
    from contracts.events import event_types_all

    errors = {
        name
        for info in pkgutil.iter_modules(contracts.__path__, "contracts.")
        for name, obj in vars(importlib.import_module(info.name)).items()
        if isinstance(obj, type) and issubclass(obj, ContractError)
    }
    events = {name.rpartition(".")[2] for name in event_types_all()}
    assert "OutOfStock" in errors
    assert OutOfStockReached.name == "inventory.OutOfStockReached"
    assert not errors & events
