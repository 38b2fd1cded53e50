"""Request parameters and response shapes of the storefront catalog API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from contracts.errors import FieldProblem, InvalidInput
from modules.catalog.models import Category, Product, Variant
from modules.catalog.selectors import Offers, ProductCard

ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created", "id"),
    "-created": ("-created", "-id"),
    "price": None,
    "-price": None,
}
DEFAULT_ORDERING = "name"
_CURRENCY = re.compile(r"[A-Z]{3}")


def _bad(field: str, *, code: str, detail: str) -> InvalidInput:
    """Return the 400 for a bad query parameter; ``errors`` names the parameter, as for a bad page number."""
    return InvalidInput(f"{field}: {detail}", code=code, errors=(FieldProblem(field=field, code=code, detail=detail),))


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingQuery:
    """The validated query parameters of the product listing."""

    category: str | None
    q: str | None
    ordering: str
    currency: str | None

    @classmethod
    def parse(cls, params: QueryDict) -> ListingQuery:
        """Validate the listing parameters; a bad one is a 400 naming it."""
        ordering = params.get("ordering", "").strip() or DEFAULT_ORDERING
        if ordering not in ORDERINGS:
            raise _bad(
                "ordering", code="invalid_ordering", detail=f"Unknown ordering; use one of {', '.join(ORDERINGS)}."
            )
        currency = currency_parse(params)
        if ordering in ("price", "-price") and currency is None:
            raise _bad(
                "currency", code="currency_required", detail="Ordering by price needs a currency (currency=EUR)."
            )
        return cls(
            category=params.get("category", "").strip() or None,
            q=params.get("q") or None,
            ordering=ordering,
            currency=currency,
        )


def currency_parse(params: QueryDict) -> str | None:
    """Return the ISO 4217 code asked for, ``None`` when absent; a malformed one (``eur`` too, as in pricing) is a 400."""
    raw = params.get("currency", "").strip()
    if not raw:
        return None
    if not _CURRENCY.fullmatch(raw):
        raise _bad(
            "currency", code="invalid_currency", detail="A currency is a three-letter ISO 4217 code such as EUR."
        )
    return raw


def _money(amount: Decimal | None, offers: Offers) -> dict[str, str] | None:
    return None if amount is None else {"amount": str(amount), "currency": offers.currency}


class CategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.SerializerMethodField()
    path = serializers.CharField()

    def get_parent(self, category: Category) -> str | None:
        return category.parent.slug if category.parent is not None else None


class MediaSerializer(serializers.Serializer):
    url = serializers.CharField()
    alt = serializers.CharField()


class VariantSerializer(serializers.Serializer):
    """A variant; ``price`` and ``available`` only when a currency was asked (``null`` when unknown or degraded)."""

    sku = serializers.CharField()
    name = serializers.CharField()
    attributes = serializers.JSONField()
    price = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()

    def get_price(self, variant: Variant) -> dict[str, str] | None:
        offers: Offers | None = self.context.get("offers")
        return _money(offers.variant_price(variant.sku), offers) if offers is not None else None

    def get_available(self, variant: Variant) -> int | None:
        offers: Offers | None = self.context.get("offers")
        return offers.variant_available(variant.sku) if offers is not None else None

    def to_representation(self, variant: Variant) -> dict[str, Any]:
        data = super().to_representation(variant)
        if self.context.get("offers") is None:
            del data["price"], data["available"]
        return data


class ProductSerializer(serializers.Serializer):
    """A visible product with its active variants; ``price`` and ``in_stock`` only when a currency was asked."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.SerializerMethodField()
    attributes = serializers.JSONField()
    variants = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField()
    created = serializers.DateTimeField()

    def get_category(self, product: Product) -> str | None:
        return product.category.slug if product.category is not None else None

    def get_variants(self, product: Product) -> list[dict[str, Any]]:
        return VariantSerializer(product.active_variants, many=True, context=self.context).data

    def get_media(self, product: Product) -> list[dict[str, Any]]:
        return MediaSerializer(product.media.all(), many=True).data

    def get_price(self, product: Product) -> dict[str, str] | None:
        offers: Offers | None = self.context.get("offers")
        if offers is None:
            return None
        return _money(offers.product_price([v.sku for v in product.active_variants]), offers)

    def get_in_stock(self, product: Product) -> bool | None:
        offers: Offers | None = self.context.get("offers")
        return offers.product_in_stock([v.sku for v in product.active_variants]) if offers is not None else None

    def to_representation(self, product: Product) -> dict[str, Any]:
        data = super().to_representation(product)
        if self.context.get("offers") is None:
            del data["price"], data["in_stock"]
        return data


# --- Plain representations --------------------------------------------------------------------------------------
# The storefront serves these dicts; the serializers above stay the source of the OpenAPI schema, and
# tests/test_representation.py holds both to the same output for the same product.

_DATETIME = serializers.DateTimeField()


def product_data(card: ProductCard, offers: Offers | None) -> dict[str, Any]:
    """Return what ``ProductSerializer`` renders for ``card``: same keys, same order, same values."""
    variants = []
    if offers is None:
        for v in card.variants:
            variants.append({"sku": v.sku, "name": v.name, "attributes": v.attributes})
        price = in_stock = None
    else:
        currency = offers.currency
        lowest: Decimal | None = None
        in_stock = False if offers.availability is not None else None
        for v in card.variants:
            amount = offers.variant_price(v.sku)
            available = offers.variant_available(v.sku)
            if amount is not None and (lowest is None or amount < lowest):
                lowest = amount
            if available:
                in_stock = True
            variants.append(
                {
                    "sku": v.sku,
                    "name": v.name,
                    "attributes": v.attributes,
                    "price": None if amount is None else {"amount": str(amount), "currency": currency},
                    "available": available,
                }
            )
        price = None if lowest is None else {"amount": str(lowest), "currency": currency}
    data: dict[str, Any] = {
        "id": card.id,
        "slug": card.slug,
        "name": card.name,
        "description": card.description,
        "category": card.category,
        "attributes": card.attributes,
        "variants": variants,
        "media": [{"url": url, "alt": alt} for url, alt in card.media],
    }
    if offers is not None:
        data["price"] = price
        data["in_stock"] = in_stock
    data["created"] = _DATETIME.to_representation(card.created)
    return data
