"""Reads of the read model: ranked products, with what the module knows of them. A few statements each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from contracts.errors import FieldProblem, InvalidInput
from contracts.recommendations import RECOMMENDATIONS_MAX_LIMIT, Recommendation
from modules.recommendations import conf
from modules.recommendations.models import CategorySale, ProductPair, SeenProduct, SeenVariant


def _checked(*, slug: str, limit: int, field: str) -> None:
    if not 1 <= limit <= RECOMMENDATIONS_MAX_LIMIT:
        detail = f"limit is between 1 and {RECOMMENDATIONS_MAX_LIMIT}."
        raise InvalidInput(detail, code="invalid_limit", errors=(FieldProblem(field="limit", code="invalid_limit", detail=detail),))
    if not slug or len(slug) > 200:
        detail = "a slug of 1 to 200 characters."
        raise InvalidInput(detail, code="invalid_slug", errors=(FieldProblem(field=field, code="invalid_slug", detail=detail),))


def bought_together(*, product_slug: str, limit: int) -> tuple[Recommendation, ...]:
    """Return the products most often bought with ``product_slug``, recent orders weighing more."""
    _checked(slug=product_slug, limit=limit, field="product_slug")
    product_ids = SeenProduct.objects.filter(slug=product_slug).values("product_id")
    ranked = list(
        ProductPair.objects.filter(product_id__in=product_ids, orders__gt=0)
        .exclude(other_id__in=SeenProduct.objects.filter(hidden=True).values("product_id"))
        .order_by("-score", "other_id")
        .values_list("other_id", "score")[: limit * 2]
    )
    return _recommendations(ranked=ranked, limit=limit)


def popular(*, category_slug: str, limit: int) -> tuple[Recommendation, ...]:
    """Return the products selling most units in ``category_slug`` (or below it) within the recent window."""
    _checked(slug=category_slug, limit=limit, field="category_slug")
    since = timezone.now() - timedelta(days=conf.popular_window_days())
    ranked = [
        (product_id, float(units))
        for product_id, units in CategorySale.objects.filter(category=category_slug, placed_at__gte=since)
        .exclude(product_id__in=SeenProduct.objects.filter(hidden=True).values("product_id"))
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .order_by("-units", "product_id")
        .values_list("product_id", "units")[: limit * 2]
    ]
    return _recommendations(ranked=ranked, limit=limit)


def _recommendations(*, ranked: Sequence[tuple[int, float]], limit: int) -> tuple[Recommendation, ...]:
    """Attach slug, name and live SKUs to ranked product ids: two statements; products left without a SKU go."""
    ids = [product_id for product_id, _ in ranked]
    products = {p.product_id: p for p in SeenProduct.objects.filter(product_id__in=ids)}
    skus: dict[int, list[str]] = {}
    for product_id, sku in SeenVariant.objects.filter(product_id__in=ids, discontinued=False).order_by("sku").values_list("product_id", "sku"):
        skus.setdefault(product_id, []).append(sku)
    found = [
        Recommendation(
            product_id=product_id,
            product_slug=products[product_id].slug,
            product_name=products[product_id].name,
            skus=tuple(skus[product_id]),
            score=score,
        )
        for product_id, score in ranked
        if product_id in products and skus.get(product_id)
    ]
    return tuple(found[:limit])
