"""Products as the storefront shows them: plain cards with their active variants and media, two queries a page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import F, Prefetch, QuerySet

from contracts.errors import NotFound
from modules.catalog.models import Product, ProductMedia, Variant
from modules.catalog.selectors.tree import slug_valid


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
