"""What the storefront shows, and search over it: every word in a name, a description or an active SKU."""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import F, Lookup, QuerySet, Subquery

from modules.catalog.models import Product, Variant
from modules.catalog.selectors.tree import category_subtree_q

SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 5


def products_visible() -> QuerySet[Product]:
    """Return the products the storefront shows: published, with at least one active variant (``listed``)."""
    return Product.objects.filter(listed=True)


def search_terms(raw: str) -> list[str]:
    """Return the words of a search text, bounded in length and number (NULs dropped: databases refuse them)."""
    text = raw.replace("\x00", "")[:SEARCH_MAX_LENGTH]
    return text.split()[:SEARCH_MAX_TERMS]


def products_search(*, category: str | None = None, q: str | None = None) -> QuerySet[Product]:
    """Return visible products in ``category`` (and below) whose name, description or SKU has every word of ``q``."""
    products = products_visible()
    if category is not None:
        subtree = category_subtree_q(category)
        if subtree is None:
            return products.none()
        products = products.filter(subtree)
    postgres = connections[router.db_for_read(Product)].vendor == "postgresql"
    for term in search_terms(q or ""):
        matching = _products_matching(term)
        # On PostgreSQL ``id = ANY(ARRAY(…))`` runs the match once and probes the primary key with the result,
        # where ``id IN (…)`` would be planned as a hash join over a scan of every product.
        products = products.filter(_InArray(F("pk"), Subquery(matching))) if postgres else products.filter(pk__in=matching)
    return products


class _InArray(Lookup):
    """``lhs = ANY(ARRAY(subquery))`` (PostgreSQL): the subquery runs once, its result probes an index of ``lhs``."""

    lookup_name = "in_array"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _products_matching(term: str) -> QuerySet[Product]:
    """Return the ids of products whose name, description or an active variant's SKU contains ``term`` (any case).

    A union of three single-column matches rather than one OR over them, so
    that on PostgreSQL each is served by its trigram index (migration 0002)
    and a search costs what it finds, not the size of the catalog.
    """
    return (
        Product.objects.filter(name__icontains=term)
        .order_by()
        .values("pk")
        .union(
            Product.objects.filter(description__icontains=term).order_by().values("pk"),
            Variant.objects.filter(active=True, sku__icontains=term).order_by().values("product_id"),
        )
    )
