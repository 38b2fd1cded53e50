"""Fakes of the contracts inventory calls, for its tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contracts.catalog import VariantInfo


class FakeCatalog:
    """Knows every SKU except those in ``unknown``."""

    def __init__(self) -> None:
        self.unknown: set[str] = set()
        self.calls = 0

    def variants_get(self, *, skus: Sequence[str]) -> Mapping[str, VariantInfo]:
        self.calls += 1
        return {
            sku: VariantInfo(
                sku=sku,
                product_id=1,
                product_slug="p",
                product_name="P",
                variant_name=sku,
                category_path="",
                published=True,
                active=True,
            )
            for sku in skus
            if sku not in self.unknown
        }

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        return frozenset()
