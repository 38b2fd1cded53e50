"""Replaying the retained history: every stored event to the chosen subscribers, once each, in batches."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from commerce.eventbus.models import OutboxEvent
from commerce.eventbus.services.replay import events_replay
from commerce.eventbus.tests.conftest import order_placed
from contracts.catalog import VariantDiscontinued
from contracts.checkout import OrderPlaced
from contracts.codec import to_primitive
from contracts.events import Event, history_replay, subscribe, unsubscribe


def stored(event: Event) -> None:
    """Keep ``event`` in its publisher's outbox as history (no delivery: nobody listened then)."""
    OutboxEvent.objects.create(
        event_id=event.event_id, name=event.name, version=event.version, publisher=event.publisher, payload=to_primitive(event)
    )


@pytest.fixture
def late(db):
    """A subscriber that joins after the events were published; yields what it saw."""
    seen: list[Event] = []
    subscribe(OrderPlaced, name="probe.late_orders", handler=seen.append)
    subscribe(VariantDiscontinued, name="probe.late_variants", handler=seen.append)
    yield seen
    unsubscribe(name="probe.late_orders")
    unsubscribe(name="probe.late_variants")


def test_the_history_reaches_a_late_subscriber_once_in_batches(late):
    for number in ("ORD-1", "ORD-2", "ORD-3"):
        stored(order_placed(number))
    stored(VariantDiscontinued(sku="SKU-1", product_id=1))
    progress: list[str] = []
    report = events_replay(subscriber_prefix="probe.late_", batch_size=2, progress=progress.append)
    assert (report.events, report.applied) == (4, 4)
    assert [e.order_number for e in late if isinstance(e, OrderPlaced)] == ["ORD-1", "ORD-2", "ORD-3"]  # in stored order
    assert progress[-1].endswith("4 of 4 events read, 4 applied so far") and len(progress) == 2
    assert events_replay(subscriber_prefix="probe.late_").applied == 0  # the inbox remembers
    assert len(late) == 4
    assert history_replay(subscriber_prefix="probe.late_orders", forget_applied=True) == 3  # on purpose, again
    assert len(late) == 7


def test_the_command_reports_and_unknown_subscribers_are_refused(late):
    stored(order_placed("ORD-9"))
    out = io.StringIO()
    call_command("events", "replay", "--subscribers", "probe.late_", stdout=out)
    assert "replayed 1 events, 1 applied now" in out.getvalue()
    with pytest.raises(ValueError, match="no subscriber"):
        events_replay(subscriber_prefix="nobody.")
