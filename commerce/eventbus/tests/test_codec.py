"""Events travel as JSON and come back exactly; newer versions still load."""

import json
from dataclasses import replace

from commerce.eventbus.tests.conftest import order_placed
from contracts.checkout import OrderPlaced
from contracts.codec import from_primitive, to_primitive


def test_event_round_trips_through_json_exactly():
    event = replace(order_placed(), voucher_code="WELCOME10")
    wire = json.loads(json.dumps(to_primitive(event)))
    assert from_primitive(OrderPlaced, wire) == event
    assert wire["total"] == "19.00"  # a string, never a float


def test_event_from_a_newer_version_with_extra_fields_still_loads():
    event = order_placed()
    wire = to_primitive(event)
    wire["loyalty_points"] = 42
    wire["lines"][0]["gift_wrap"] = True
    assert from_primitive(OrderPlaced, wire) == event


def test_an_event_stored_under_its_former_name_is_still_read():
    from contracts.events import event_type_get
    from contracts.inventory import OutOfStockReached

    assert event_type_get("inventory.OutOfStock") is OutOfStockReached
    assert event_type_get("inventory.OutOfStockReached") is OutOfStockReached
