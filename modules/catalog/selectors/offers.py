"""Offers from the other modules: prices and availability of a page, and the listing ordered by price."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from contracts.container import services
from contracts.errors import FieldProblem, InvalidInput
from contracts.inventory import Availability
from contracts.pricing import Price, UnknownCurrency
from modules.catalog.models import Product, Variant

logger = logging.getLogger(__name__)

# Ordering by price asks pricing for every candidate SKU at once; beyond this the filter must be narrowed.
PRICE_ORDERING_MAX_SKUS_DEFAULT = 5000


def prices_fetch(*, skus: Sequence[str], currency: str) -> Mapping[str, Price] | None:
    """Return the prices of ``skus`` in one pricing call, or ``None`` when pricing failed (logged).

    An unknown currency is the client's mistake and propagates (400); any
    other failure (down, timed out, a bug) must not take the catalog down.
    """
    try:
        return services().pricing.prices_get(skus=list(skus), currency=currency)
    except UnknownCurrency:
        raise
    except Exception:
        logger.warning("pricing failed for %d SKUs in %s; answering without prices", len(skus), currency, exc_info=True)
        return None


def availability_fetch(*, skus: Sequence[str]) -> Mapping[str, Availability] | None:
    """Return the availability of ``skus`` in one inventory call, or ``None`` when inventory failed (logged)."""
    if not skus:
        return {}
    try:
        return services().inventory.availability_get(skus=list(skus))
    except Exception:
        logger.warning("inventory failed for %d SKUs; answering without availability", len(skus), exc_info=True)
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceRanking:
    """Visible product ids in price order, and the prices fetched for it (``None`` when pricing failed)."""

    product_ids: list[int]
    prices: Mapping[str, Price] | None


def products_rank_by_price(*, products: QuerySet[Product], currency: str, descending: bool) -> PriceRanking:
    """Order ``products`` by their lowest active-variant price in ``currency``, across the whole filtered set.

    Prices live in pricing, so a global order needs the price of every
    candidate SKU: one query for the candidates, one batched pricing call,
    then a sort here. The candidate set is bounded (``InvalidInput`` asks
    for a narrower filter). Products without a price come last; ties go by name. If pricing
    fails, the order falls back to name so the listing still answers.
    """
    limit = getattr(settings, "CATALOG_PRICE_ORDERING_MAX_SKUS", PRICE_ORDERING_MAX_SKUS_DEFAULT)
    candidates = list(
        Variant.objects.filter(active=True, product__in=products.values("pk"))
        .order_by()
        .values_list("product_id", "sku", "product__name")[: limit + 1]
    )
    if len(candidates) > limit:
        raise InvalidInput(
            f"Ordering by price covers at most {limit} SKUs; narrow the listing with category= or q=.",
            code="ordering_too_broad",
            errors=(FieldProblem(field="ordering", code="too_broad", detail="Narrow the listing to order by price."),),
        )
    prices = prices_fetch(skus=[sku for _, sku, _ in candidates], currency=currency)
    names = {product_id: name for product_id, _, name in candidates}
    if prices is None:
        return PriceRanking(product_ids=sorted(names, key=lambda pk: (names[pk], pk)), prices=None)
    lowest: dict[int, Decimal] = {}
    for product_id, sku, _ in candidates:
        price = prices.get(sku)
        if price is not None and (product_id not in lowest or price.amount < lowest[product_id]):
            lowest[product_id] = price.amount
    sign = -1 if descending else 1
    ordered = sorted(names, key=lambda pk: (pk not in lowest, sign * lowest.get(pk, Decimal(0)), names[pk], pk))
    return PriceRanking(product_ids=ordered, prices=prices)


@dataclass(frozen=True, slots=True, kw_only=True)
class Offers:
    """Prices and availability of one page of SKUs; a ``None`` map means that module failed for this page."""

    currency: str
    prices: Mapping[str, Price] | None
    availability: Mapping[str, Availability] | None

    @property
    def degraded(self) -> tuple[str, ...]:
        return tuple(
            name for name, data in (("pricing", self.prices), ("inventory", self.availability)) if data is None
        )

    def variant_price(self, sku: str) -> Decimal | None:
        price = self.prices.get(sku) if self.prices is not None else None
        return price.amount if price is not None else None

    def variant_available(self, sku: str) -> int | None:
        if self.availability is None:
            return None
        found = self.availability.get(sku)
        return found.available if found is not None else 0

    def product_price(self, skus: Sequence[str]) -> Decimal | None:
        amounts = [a for a in (self.variant_price(sku) for sku in skus) if a is not None]
        return min(amounts) if amounts else None

    def product_in_stock(self, skus: Sequence[str]) -> bool | None:
        if self.availability is None:
            return None
        return any((self.variant_available(sku) or 0) > 0 for sku in skus)


def offers_get(
    *, skus: Sequence[str], currency: str, prices: Mapping[str, Price] | None = None, pricing_done: bool = False
) -> Offers:
    """Return the offers of one page: one pricing call (unless ``pricing_done``) and one inventory call."""
    if not pricing_done:
        prices = prices_fetch(skus=skus, currency=currency)
    return Offers(currency=currency, prices=prices, availability=availability_fetch(skus=skus))
