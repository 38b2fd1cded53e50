"""Implements ``contracts.catalog.CatalogService``: maps the catalog's selectors to contract dataclasses."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.catalog import VariantInfo
from modules.catalog.models import Product
from modules.catalog.selectors.tree import category_skus
from modules.catalog.selectors.variants import variant_rows


class CatalogFacade:
    """The catalog as other modules see it: variants by SKU and the SKUs of a category."""

    def variants_get(self, *, skus: Sequence[str]) -> dict[str, VariantInfo]:
        """Return the variants of ``skus`` in one query; unknown SKUs are absent, never an error.

        Rows are plain tuples, not model instances: tens of thousands of SKUs
        (an import's check) cost what building the dataclasses costs.
        """
        published = Product.Status.PUBLISHED
        return {
            sku: VariantInfo(
                sku=sku,
                product_id=product_id,
                product_slug=product_slug,
                product_name=product_name,
                variant_name=variant_name,
                category_path=category_path or "",
                published=status == published,
                active=active,
                weight_grams=weight_grams,
                tax_class=tax_class,
            )
            for (
                sku, product_id, product_slug, product_name, variant_name, category_path, status, active, weight_grams, tax_class
            ) in variant_rows(skus=skus)
        }

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        """Return the SKUs of every variant (active or not) in category ``slug`` and below; empty when unknown."""
        return category_skus(slug=slug)
