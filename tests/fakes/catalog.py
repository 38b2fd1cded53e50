"""The catalog contract in memory: variants a test adds; a category holds the variants below it in their path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import count

from contracts.catalog import VariantInfo
from contracts.common import sku_valid
from contracts.taxes import TaxClass
from tests.fakes.recording import Recording


class FakeCatalog(Recording):
    """Implements ``contracts.catalog.CatalogService``.

    With ``knows_every_sku`` it stands for a catalog that sells whatever
    well-formed SKU a test mentions, except those in ``unknown``: for tests
    of modules that only ask whether a SKU exists.
    """

    def __init__(self, *, knows_every_sku: bool = False) -> None:
        super().__init__()
        self.knows_every_sku = knows_every_sku
        self.unknown: set[str] = set()
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
        weight_grams: int | None = None,
        tax_class: TaxClass = "standard",
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
            weight_grams=weight_grams,
            tax_class=tax_class,
        )
        self.variants[sku] = variant
        return variant

    def variants_add(self, skus: Iterable[str], **fields: object) -> None:
        """Add a variant for each of ``skus``, with the same ``fields`` (see ``variant_add``)."""
        for sku in skus:
            self.variant_add(sku, **fields)  # type: ignore[arg-type]

    def variant_change(self, sku: str, **changes: object) -> VariantInfo:
        """Change fields of the variant ``sku`` (``published=False``, ``active=False``, a name...)."""
        self.variants[sku] = replace(self.variants[sku], **changes)
        return self.variants[sku]

    def variants_get(self, *, skus: Sequence[str]) -> Mapping[str, VariantInfo]:
        skus = list(skus)  # a caller may hand over any iterable: read it once
        self._enter("variants_get", skus=tuple(skus))
        if self.knows_every_sku:
            for sku in skus:
                if sku not in self.variants and sku not in self.unknown and sku_valid(sku):
                    self.variant_add(sku)
        return {
            sku: self.variants[sku] for sku in skus if isinstance(sku, str) and sku in self.variants and sku not in self.unknown
        }

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        self._enter("category_skus_get", slug=slug)
        return frozenset(sku for sku, v in self.variants.items() if v.category_path and slug in v.category_path.split("/"))
