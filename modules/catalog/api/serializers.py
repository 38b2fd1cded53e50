"""Request parameters and response shapes of the storefront catalog API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.errors import FieldProblem, InvalidInput
from kernel.serializers import SkuField, currency_schema
from modules.catalog.models import Category, Product, Variant
from modules.catalog.selectors.cards import ProductCard
from modules.catalog.selectors.offers import Offers

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
        ordering = params.get("ordering", DEFAULT_ORDERING)
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
    """Return the ISO 4217 code asked for, ``None`` when absent; a malformed one (``eur``, `` EUR``, empty) is a 400.

    Taken exactly as sent, as the schema states it: which codes the shop sells
    in is pricing's to say (``unknown_currency``).
    """
    raw = params.get("currency")
    if raw is None:
        return None
    if not _CURRENCY.fullmatch(raw):
        raise _bad(
            "currency", code="invalid_currency", detail="A currency is a three-letter ISO 4217 code such as EUR."
        )
    return raw


# Fields present only when a currency was asked ("x-optional": left out of the schema's required list).
MONEY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "x-optional": True,
    "description": "Only with a currency; null when unknown or when pricing is degraded.",
    "properties": {
        "amount": {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "example": "19.90"},
        "currency": currency_schema(),
    },
    "required": ["amount", "currency"],
}
DEGRADED_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "enum": ["pricing", "inventory"]},
    "description": "The modules that failed for this answer (their parts are null); also in the Commerce-Degraded header.",
}


def _money(amount: Decimal | None, offers: Offers) -> dict[str, str] | None:
    return None if amount is None else {"amount": str(amount), "currency": offers.currency}


class CategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.SerializerMethodField()
    path = serializers.CharField()

    @extend_schema_field({"type": "string", "nullable": True, "description": "the parent's slug; null at the top"})
    def get_parent(self, category: Category) -> str | None:
        return category.parent.slug if category.parent is not None else None


class MediaSerializer(serializers.Serializer):
    url = serializers.CharField()
    alt = serializers.CharField()


class VariantSerializer(serializers.Serializer):
    """A variant; ``price`` and ``available`` only when a currency was asked (``null`` when unknown or degraded)."""

    sku = SkuField()
    name = serializers.CharField()
    attributes = serializers.DictField()
    price = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()

    @extend_schema_field(MONEY_SCHEMA)
    def get_price(self, variant: Variant) -> dict[str, str] | None:
        offers: Offers | None = self.context.get("offers")
        return _money(offers.variant_price(variant.sku), offers) if offers is not None else None

    @extend_schema_field(
        {
            "type": "integer",
            "minimum": 0,
            "nullable": True,
            "x-optional": True,
            "description": "Only with a currency; null when inventory is degraded.",
        }
    )
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
    attributes = serializers.DictField()
    variants = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField()
    created = serializers.DateTimeField()

    @extend_schema_field({"type": "string", "nullable": True, "description": "the category's slug"})
    def get_category(self, product: Product) -> str | None:
        return product.category.slug if product.category is not None else None

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: Product) -> list[dict[str, Any]]:
        return VariantSerializer(product.active_variants, many=True, context=self.context).data

    @extend_schema_field(MediaSerializer(many=True))
    def get_media(self, product: Product) -> list[dict[str, Any]]:
        return MediaSerializer(product.media.all(), many=True).data

    @extend_schema_field({**MONEY_SCHEMA, "description": "The lowest variant price; only with a currency, null when none."})
    def get_price(self, product: Product) -> dict[str, str] | None:
        offers: Offers | None = self.context.get("offers")
        if offers is None:
            return None
        return _money(offers.product_price([v.sku for v in product.active_variants]), offers)

    @extend_schema_field(
        {
            "type": "boolean",
            "nullable": True,
            "x-optional": True,
            "description": "Only with a currency; null when inventory is degraded.",
        }
    )
    def get_in_stock(self, product: Product) -> bool | None:
        offers: Offers | None = self.context.get("offers")
        return offers.product_in_stock([v.sku for v in product.active_variants]) if offers is not None else None

    def to_representation(self, product: Product) -> dict[str, Any]:
        data = super().to_representation(product)
        if self.context.get("offers") is None:
            del data["price"], data["in_stock"]
        return data


@extend_schema_field(DEGRADED_SCHEMA)
class DegradedField(serializers.ListField):
    child = serializers.CharField()


class ProductDetailSerializer(ProductSerializer):
    """Schema of the product detail: the product, and ``degraded``."""

    degraded = serializers.SerializerMethodField()

    @extend_schema_field(DEGRADED_SCHEMA)
    def get_degraded(self, product: Product) -> list[str]:
        offers: Offers | None = self.context.get("offers")
        return list(offers.degraded) if offers is not None else []


class ProductPageSerializer(serializers.Serializer):
    """Schema of a listing page: the list envelope, and ``degraded``."""

    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductSerializer(many=True)
    degraded = DegradedField()


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
