"""Fixtures of the pricing tests: a fake catalog and a probe for PriceChanged."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pytest

from contracts.catalog import VariantInfo
from contracts.container import services_override
from contracts.events import Event
from contracts.pricing import PriceChanged


class FakeCatalog:
    """A catalog whose categories are a dict of slug -> SKUs and that knows the SKUs in ``known``; counts its calls."""

    def __init__(self, categories: Mapping[str, Sequence[str]] | None = None) -> None:
        self.categories = {slug: frozenset(skus) for slug, skus in (categories or {}).items()}
        self.known: set[str] = set()
        self.calls = 0
        self.variant_calls = 0

    def variants_get(self, *, skus: Sequence[str]) -> Mapping[str, VariantInfo]:
        self.variant_calls += 1
        return {
            sku: VariantInfo(
                sku=sku,
                product_id=1,
                product_slug="p",
                product_name="P",
                variant_name="V",
                category_path="",
                published=True,
                active=True,
            )
            for sku in skus
            if sku in self.known
        }

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        self.calls += 1
        return self.categories.get(slug, frozenset())


@pytest.fixture
def catalog() -> Iterator[FakeCatalog]:
    fake = FakeCatalog()
    with services_override(catalog=fake):
        yield fake


@pytest.fixture
def price_events(event_probe) -> list[Event]:
    """Every PriceChanged delivered while the test runs (after commit)."""
    return event_probe(PriceChanged)
