"""What a storefront shows of recommended products: current name, price and stock, in one call per module.

The ranking is ours; the product summary is the catalog's, the price
pricing's and the stock inventory's. Each is asked once for every SKU of the
answer (as the catalog's listing does), so an answer costs three contract
calls whatever its length. A module that fails degrades the answer (its part
is null, its name in ``degraded``) instead of failing it; an unknown
currency is the client's mistake and propagates (400).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts.catalog import VariantInfo
from contracts.container import services
from contracts.inventory import Availability
from contracts.pricing import Price, UnknownCurrency
from contracts.recommendations import Recommendation

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Shown:
    """One product of an answer as the storefront shows it."""

    product_id: int
    slug: str
    name: str
    score: float
    price: Decimal | None  # the lowest price of its sellable variants; None when unknown or pricing failed
    in_stock: bool | None  # None when inventory failed


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    products: tuple[Shown, ...]
    degraded: tuple[str, ...]


def _variants(skus: Sequence[str]) -> Mapping[str, VariantInfo] | None:
    try:
        return services().catalog.variants_get(skus=list(skus))
    except Exception:
        logger.warning("catalog failed for %d SKUs; recommending without its summaries", len(skus), exc_info=True)
        return None


def _prices(skus: Sequence[str], currency: str) -> Mapping[str, Price] | None:
    try:
        return services().pricing.prices_get(skus=list(skus), currency=currency)
    except UnknownCurrency:
        raise
    except Exception:
        logger.warning("pricing failed for %d SKUs in %s; recommending without prices", len(skus), currency, exc_info=True)
        return None


def _availability(skus: Sequence[str]) -> Mapping[str, Availability] | None:
    try:
        return services().inventory.availability_get(skus=list(skus))
    except Exception:
        logger.warning("inventory failed for %d SKUs; recommending without availability", len(skus), exc_info=True)
        return None


def recommendations_show(*, recommendations: Sequence[Recommendation], currency: str | None, limit: int) -> Answer:
    """Return up to ``limit`` of ``recommendations`` that can be bought, with summary, price and stock.

    Left out: SKUs the catalog says cannot be sold, products left without
    one, and (given a currency and an answering inventory) products with no
    SKU in stock.
    """
    degraded: list[str] = []
    all_skus = sorted({sku for r in recommendations for sku in r.skus})
    variants = _variants(all_skus) if all_skus else {}
    if variants is None:
        degraded.append("catalog")
    sellable: dict[int, list[str]] = {}
    for r in recommendations:
        skus = [sku for sku in r.skus if variants is None or (sku in variants and variants[sku].sellable)]
        if skus:
            sellable[r.product_id] = skus
    skus = sorted({sku for product_skus in sellable.values() for sku in product_skus})
    prices = availability = None
    if currency is not None:
        # Asked even for no SKU: pricing says whether the shop sells in that currency (400 unknown_currency).
        prices = _prices(skus, currency)
        availability = _availability(skus) if skus else {}
        degraded += [name for name, data in (("pricing", prices), ("inventory", availability)) if data is None]
    shown: list[Shown] = []
    for r in recommendations:
        product_skus = sellable.get(r.product_id)
        if not product_skus:
            continue
        in_stock = None
        if availability is not None:
            in_stock = any(availability[sku].available > 0 for sku in product_skus if sku in availability)
            if not in_stock:
                continue
        amounts = [prices[sku].amount for sku in product_skus if sku in prices] if prices is not None else []
        info = variants[product_skus[0]] if variants is not None else None
        shown.append(
            Shown(
                product_id=r.product_id,
                slug=info.product_slug if info is not None else r.product_slug,
                name=info.product_name if info is not None else r.product_name,
                score=r.score,
                price=min(amounts) if amounts else None,
                in_stock=in_stock,
            )
        )
        if len(shown) == limit:
            break
    return Answer(products=tuple(shown), degraded=tuple(degraded))
