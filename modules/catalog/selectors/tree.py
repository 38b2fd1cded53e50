"""The category tree: listing it, a category and everything below it, and which slugs could name anything."""

from __future__ import annotations

import re

from django.db.models import CharField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from modules.catalog.models import CATEGORY_SLUG_MAX_LENGTH, SLUG_MAX_LENGTH, SLUG_PATTERN, Category, Variant


def categories_list() -> QuerySet[Category]:
    """Return every category, parents before children (ordered by path)."""
    return Category.objects.select_related("parent").order_by("path")


def slug_valid(slug: str, *, max_length: int = SLUG_MAX_LENGTH) -> bool:
    """Return whether ``slug`` could name something; others (NULs, spaces, huge) are unknown without a query."""
    return len(slug) <= max_length and re.match(SLUG_PATTERN, slug) is not None


def category_skus(*, slug: str) -> frozenset[str]:
    """Return the SKUs of every variant (active or not) in category ``slug`` and below; empty when unknown."""
    categories = category_descendants(slug=slug).values("pk")
    return frozenset(Variant.objects.filter(product__category__in=categories).values_list("sku", flat=True))


def category_descendants(*, slug: str) -> QuerySet[Category]:
    """Return the category ``slug`` and everything below it (empty when unknown)."""
    if not slug_valid(slug, max_length=CATEGORY_SLUG_MAX_LENGTH):
        return Category.objects.none()
    path = Category.objects.filter(slug=slug).values_list("path", flat=True).first()
    if path is None:
        return Category.objects.none()
    return Category.objects.filter(Q(path=path) | Q(path__startswith=path + "/"))


def category_subtree_q(slug: str) -> Q | None:
    """Return the filter "in category ``slug`` or below" as one subquery (no separate lookup); ``None`` when invalid."""
    if not slug_valid(slug, max_length=CATEGORY_SLUG_MAX_LENGTH):
        return None
    root = Subquery(Category.objects.filter(slug=slug).values("path")[:1])
    below = Category.objects.filter(
        Q(path=root) | Q(path__startswith=Concat(root, Value("/"), output_field=CharField()))
    ).values("pk")
    return Q(category__in=below)
