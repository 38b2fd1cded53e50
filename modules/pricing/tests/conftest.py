"""Fixtures of the pricing tests: the verified fake catalog (tests/fakes) and a probe for PriceChanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.container import services_override
from contracts.events import Event
from contracts.pricing import PriceChanged
from tests.fakes.catalog import FakeCatalog


@pytest.fixture
def catalog() -> Iterator[FakeCatalog]:
    fake = FakeCatalog()
    with services_override(catalog=fake):
        yield fake


@pytest.fixture
def price_events(event_probe) -> list[Event]:
    """Every PriceChanged delivered while the test runs (after commit)."""
    return event_probe(PriceChanged)
