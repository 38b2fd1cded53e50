"""Catalog contract: what is sold, looked up by SKU."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from contracts.events import Event
from contracts.taxes import TaxClass


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantInfo:
    """A variant as other modules see it: enough to show and to sell it."""

    sku: str
    product_id: int
    product_slug: str
    product_name: str
    variant_name: str
    category_path: str  # slash path of category slugs, e.g. "apparel/shirts"; "" when none
    published: bool  # the product is published
    active: bool  # the variant is not discontinued
    weight_grams: int | None = None  # shipping weight; None when unknown (never read as 0)
    tax_class: TaxClass = "standard"  # the product's tax class

    @property
    def sellable(self) -> bool:
        return self.published and self.active


class CatalogService(Protocol):
    def variants_get(self, *, skus: Sequence[str]) -> Mapping[str, VariantInfo]:
        """Return the variants of ``skus`` in one call; unknown SKUs are absent, never an error."""
        ...

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        """Return the SKUs of every variant in category ``slug`` and its descendants (empty when unknown)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPublished(Event):
    name = "catalog.ProductPublished"
    publisher = "catalog"

    product_id: int
    slug: str
    skus: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductUnpublished(Event):
    name = "catalog.ProductUnpublished"
    publisher = "catalog"

    product_id: int
    slug: str
    skus: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantDiscontinued(Event):
    name = "catalog.VariantDiscontinued"
    publisher = "catalog"

    sku: str
    product_id: int
