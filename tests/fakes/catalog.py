"""The catalog contract in memory: variants a test adds; a category holds the variants below it in their path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import count

from contracts.catalog import VariantInfo
from tests.fakes.recording import Recording


class FakeCatalog(Recording):
    """Implements ``contracts.catalog.CatalogService``."""

    def __init__(self) -> None:
        super().__init__()
        self.variants: dict[str, VariantInfo] = {}
        self._product_ids: dict[str, int] = {}
        self._next_id = count(1)

    def variant_add(
        self,
        sku: str,
        *,
        product_name: str | None = None,
        variant_name: str = "",
        product_slug: str | None = None,
        category_path: str = "",
        published: bool = True,
        active: bool = True,
    ) -> VariantInfo:
        """Add (or replace) the variant ``sku``; variants of one ``product_slug`` share a product id."""
        slug = product_slug or sku.lower()
        if slug not in self._product_ids:
            self._product_ids[slug] = next(self._next_id)
        variant = VariantInfo(
            sku=sku,
            product_id=self._product_ids[slug],
            product_slug=slug,
            product_name=product_name or sku,
            variant_name=variant_name,
            category_path=category_path,
            published=published,
            active=active,
        )
        self.variants[sku] = variant
        return variant

    def variant_change(self, sku: str, **changes: object) -> VariantInfo:
        """Change fields of the variant ``sku`` (``published=False``, ``active=False``, a name...)."""
        self.variants[sku] = replace(self.variants[sku], **changes)
        return self.variants[sku]

    def variants_get(self, *, skus: Sequence[str]) -> Mapping[str, VariantInfo]:
        self._enter("variants_get", skus=tuple(skus))
        return {sku: self.variants[sku] for sku in skus if isinstance(sku, str) and sku in self.variants}

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        self._enter("category_skus_get", slug=slug)
        return frozenset(sku for sku, v in self.variants.items() if v.category_path and slug in v.category_path.split("/"))
