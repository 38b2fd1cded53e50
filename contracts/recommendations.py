"""Recommendations contract: products bought together with a product, and what sells most in a category.

The recommendations module learns only from events (checkout's orders,
catalog's unpublished products and discontinued variants); nobody calls it
to write. Answers are ranked product ids with what the module knows of them;
prices, stock and current names are the storefront's to add from the catalog,
pricing and inventory contracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The most products one answer may ask for.
RECOMMENDATIONS_MAX_LIMIT = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    """A recommended product, ranked by ``score`` (highest first)."""

    product_id: int
    product_slug: str
    product_name: str
    skus: tuple[str, ...]  # its variants seen sold and not discontinued, sorted
    # bought together: recency-weighted count of orders holding both products; popular: units sold in the window
    score: float


class RecommendationsService(Protocol):
    def bought_together_get(self, *, product_slug: str, limit: int) -> tuple[Recommendation, ...]:
        """Return up to ``limit`` products bought with ``product_slug``, best first (empty when it never sold).

        Left out: products the catalog announced unpublished
        (``ProductUnpublished``) and products whose every variant seen sold was
        announced discontinued (``VariantDiscontinued``). Whether one can be
        bought right now is for the caller to ask the catalog and inventory.
        ``InvalidInput`` for a limit outside 1..RECOMMENDATIONS_MAX_LIMIT or an
        empty slug.
        """
        ...

    def popular_get(self, *, category_slug: str, limit: int) -> tuple[Recommendation, ...]:
        """Return up to ``limit`` products selling most in category ``category_slug`` (and below) lately, best first.

        "Lately" is the module's window (``RECOMMENDATIONS_POPULAR_WINDOW_DAYS``).
        Same exclusions and errors as ``bought_together_get``.
        """
        ...
