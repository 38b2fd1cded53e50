"""Implements ``contracts.catalog.CatalogService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.catalog import VariantInfo
from modules.catalog.models import Product, Variant
from modules.catalog.selectors import category_descendants, sku_valid


def _to_variant_info(variant: Variant) -> VariantInfo:
    product = variant.product
    return VariantInfo(
        sku=variant.sku,
        product_id=product.pk,
        product_slug=product.slug,
        product_name=product.name,
        variant_name=variant.name,
        category_path=product.category.path if product.category is not None else "",
        published=product.status == Product.Status.PUBLISHED,
        active=variant.active,
    )


class CatalogFacade:
    """The catalog as other modules see it: variants by SKU and the SKUs of a category."""

    def variants_get(self, *, skus: Sequence[str]) -> dict[str, VariantInfo]:
        """Return the variants of ``skus`` in one query; unknown SKUs are absent, never an error."""
        wanted = {sku for sku in skus if sku_valid(sku)}
        if not wanted:
            return {}
        variants = Variant.objects.filter(sku__in=wanted).select_related("product__category")
        return {v.sku: _to_variant_info(v) for v in variants}

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        """Return the SKUs of every variant (active or not) in category ``slug`` and below; empty when unknown."""
        categories = category_descendants(slug=slug).values("pk")
        return frozenset(Variant.objects.filter(product__category__in=categories).values_list("sku", flat=True))
