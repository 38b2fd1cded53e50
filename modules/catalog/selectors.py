"""Catalog reads: storefront visibility, search, the category tree, and offers from pricing and inventory.

Every function here costs a constant number of queries whatever the number
of rows, and at most one call to each other module.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import CharField, Exists, F, Lookup, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from contracts.common import sku_valid
from contracts.container import services
from contracts.errors import FieldProblem, InvalidInput, NotFound
from contracts.inventory import Availability
from contracts.pricing import Price, UnknownCurrency
from kernel.batching import filtered_in
from modules.catalog.models import (
    CATEGORY_SLUG_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    Category,
    Product,
    ProductMedia,
    Variant,
)

logger = logging.getLogger(__name__)

SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 5
# Ordering by price asks pricing for every candidate SKU at once; beyond this the filter must be narrowed.
PRICE_ORDERING_MAX_SKUS_DEFAULT = 5000


def categories_list() -> QuerySet[Category]:
    """Return every category, parents before children (ordered by path)."""
    return Category.objects.select_related("parent").order_by("path")


def slug_valid(slug: str, *, max_length: int = SLUG_MAX_LENGTH) -> bool:
    """Return whether ``slug`` could name something; others (NULs, spaces, huge) are unknown without a query."""
    return len(slug) <= max_length and re.match(SLUG_PATTERN, slug) is not None


# What ``variant_rows`` answers per variant, in this order.
VARIANT_ROW_FIELDS = (
    "sku",
    "product_id",
    "product__slug",
    "product__name",
    "name",
    "product__category__path",
    "product__status",
    "active",
)


def variant_rows(*, skus: Sequence[str]) -> list[tuple[Any, ...]]:
    """Return the variants of ``skus`` as tuples of ``VARIANT_ROW_FIELDS``; malformed SKUs are skipped.

    One query on PostgreSQL whatever the number of SKUs, one per 500 on SQLite.

    Tuples from ``values_list``, not model instances: building 48,000
    instances with their product and category cost ~3.6 s of CPU.
    Malformed SKUs cannot exist (the Variant field holds the SKU rule), so
    they are dropped without a query.
    """
    wanted = sorted({sku for sku in skus if sku_valid(sku)})
    variants = Variant.objects.order_by().values_list(*VARIANT_ROW_FIELDS)
    return [row for batch in filtered_in(variants, field="sku", values=wanted) for row in batch]


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


def _category_subtree_q(slug: str) -> Q | None:
    """Return the filter "in category ``slug`` or below" as one subquery (no separate lookup); ``None`` when invalid."""
    if not slug_valid(slug, max_length=CATEGORY_SLUG_MAX_LENGTH):
        return None
    root = Subquery(Category.objects.filter(slug=slug).values("path")[:1])
    below = Category.objects.filter(
        Q(path=root) | Q(path__startswith=Concat(root, Value("/"), output_field=CharField()))
    ).values("pk")
    return Q(category__in=below)


def products_visible() -> QuerySet[Product]:
    """Return the products the storefront shows: published, with at least one active variant."""
    return Product.objects.filter(
        Exists(Variant.objects.filter(product_id=OuterRef("pk"), active=True)),
        status=Product.Status.PUBLISHED,
    )


def search_terms(raw: str) -> list[str]:
    """Return the words of a search text, bounded in length and number (NULs dropped: databases refuse them)."""
    text = raw.replace("\x00", "")[:SEARCH_MAX_LENGTH]
    return text.split()[:SEARCH_MAX_TERMS]


def products_search(*, category: str | None = None, q: str | None = None) -> QuerySet[Product]:
    """Return visible products in ``category`` (and below) whose name, description or SKU has every word of ``q``."""
    products = products_visible()
    if category is not None:
        subtree = _category_subtree_q(category)
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


class VariantCard:
    """An active variant as the storefront shows it."""

    __slots__ = ("sku", "name", "attributes")

    def __init__(self, sku: str, name: str, attributes: dict) -> None:
        self.sku, self.name, self.attributes = sku, name, attributes


class ProductCard:
    """A visible product as the storefront shows it: plain values, its active variants (by id) and media."""

    __slots__ = ("id", "slug", "name", "description", "category", "attributes", "created", "variants", "media")

    def __init__(
        self, id: int, slug: str, name: str, description: str, category: str | None, attributes: dict, created: datetime
    ) -> None:
        self.id, self.slug, self.name, self.description = id, slug, name, description
        self.category, self.attributes, self.created = category, attributes, created
        self.variants: list[VariantCard] = []
        self.media: list[tuple[str, str]] = []

    @property
    def skus(self) -> list[str]:
        return [v.sku for v in self.variants]


_CARD_FIELDS = (
    "product_id",
    "product__slug",
    "product__name",
    "product__description",
    "product__category__slug",
    "product__attributes",
    "product__created_at",
    "sku",
    "name",
    "attributes",
)


def _cards_fetch(variants: QuerySet[Variant]) -> list[ProductCard]:
    """Return the products of ``variants`` (rows in product order) with their media: two queries in all.

    One query reads each active variant joined to its product and category
    (the product columns repeat per variant, which costs less than a second
    round trip); the second reads the media of those products.
    """
    cards: dict[int, ProductCard] = {}
    for pk, slug, name, description, category, attributes, created, sku, v_name, v_attributes in variants.values_list(
        *_CARD_FIELDS
    ):
        card = cards.get(pk)
        if card is None:
            card = cards[pk] = ProductCard(pk, slug, name, description, category, attributes, created)
        card.variants.append(VariantCard(sku, v_name, v_attributes))
    if cards:
        media = ProductMedia.objects.filter(product_id__in=list(cards)).order_by("product_id", "position", "id")
        for product_id, url, alt in media.values_list("product_id", "url", "alt"):
            cards[product_id].media.append((url, alt))
    return list(cards.values())


def _active_variants() -> QuerySet[Variant]:
    return Variant.objects.filter(active=True)


def products_page(*, products: QuerySet[Product], ordering: Sequence[str], offset: int, limit: int) -> list[ProductCard]:
    """Return one page of ``products`` in ``ordering`` with details: two queries whatever the page size.

    The page is a LIMIT/OFFSET subquery; the outer query orders the variant
    rows by the same product ordering, so products come back in page order.
    ``ordering`` may use the listing's public names (``created``) as well as field names.
    """
    if limit <= 0:
        return []
    ordering = [_ordering_field(f) for f in ordering]
    page = products.order_by(*ordering).values("pk")[offset : offset + limit]
    rows = _active_variants().filter(product__in=page).order_by(*(_product_field(f) for f in ordering), "id")
    return _cards_fetch(rows)


# The listing's public ordering names that differ from the model's field names.
_ORDERING_FIELDS = {"created": "created_at"}


def _ordering_field(ordering: str) -> str:
    """Return the model field ordering for a public one (``-created`` is ``-created_at``)."""
    sign, name = ("-", ordering[1:]) if ordering.startswith("-") else ("", ordering)
    return sign + _ORDERING_FIELDS.get(name, name)


def _product_field(ordering: str) -> str:
    return f"-product__{ordering[1:]}" if ordering.startswith("-") else f"product__{ordering}"


def product_visible_get(*, slug: str) -> ProductCard:
    """Return the visible product ``slug`` with its details; ``NotFound`` when unknown, unpublished or unsellable.

    Two queries: an unpublished product or one without an active variant has no row in the first.
    """
    cards = (
        _cards_fetch(
            _active_variants().filter(product__slug=slug, product__status=Product.Status.PUBLISHED).order_by("id")
        )
        if slug_valid(slug)
        else []
    )
    if not cards:
        raise NotFound("No such product.", code="product_not_found")
    return cards[0]


def products_in_order(*, ids: Sequence[int]) -> list[ProductCard]:
    """Return the products ``ids`` with their details, in the order of ``ids``: two queries."""
    if not ids:
        return []
    by_id = {c.id: c for c in _cards_fetch(_active_variants().filter(product_id__in=list(ids)).order_by("id"))}
    return [by_id[pk] for pk in ids if pk in by_id]


def products_with_details(products: QuerySet[Product]) -> QuerySet[Product]:
    """Return ``products`` as model instances with category, active variants (``active_variants``) and media.

    The serializers' source (and their tests); the storefront reads ``ProductCard`` rows instead.
    ``created`` carries ``created_at`` under the public name the serializers render.
    """
    return products.select_related("category").annotate(created=F("created_at")).prefetch_related(
        Prefetch("variants", queryset=Variant.objects.filter(active=True).order_by("id"), to_attr="active_variants"),
        Prefetch("media", queryset=ProductMedia.objects.order_by("position", "id")),
    )


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
