"""Implements ``contracts.recommendations.RecommendationsService``: delegates to the selectors."""

from __future__ import annotations

from contracts.recommendations import Recommendation
from modules.recommendations import selectors


class RecommendationsFacade:
    """The recommendations module as other modules (and storefront processes) see it."""

    def bought_together_get(self, *, product_slug: str, limit: int) -> tuple[Recommendation, ...]:
        return selectors.bought_together(product_slug=product_slug, limit=limit)

    def popular_get(self, *, category_slug: str, limit: int) -> tuple[Recommendation, ...]:
        return selectors.popular(category_slug=category_slug, limit=limit)
