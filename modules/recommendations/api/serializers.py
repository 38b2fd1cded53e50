"""Query parameters and response shapes of the storefront recommendations API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from contracts.errors import FieldProblem, InvalidInput
from contracts.recommendations import RECOMMENDATIONS_MAX_LIMIT
from kernel.serializers import currency_schema
from modules.recommendations.enrichment import Answer

DEFAULT_LIMIT = 10
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 100
_CURRENCY = re.compile(r"[A-Z]{3}")
_LIMIT = re.compile(r"[0-9]{1,3}")


def _bad(field: str, *, code: str, detail: str) -> InvalidInput:
    return InvalidInput(f"{field}: {detail}", code=code, errors=(FieldProblem(field=field, code=code, detail=detail),))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationQuery:
    """The validated path slug and query parameters of a recommendations read."""

    slug: str
    limit: int
    currency: str | None

    @classmethod
    def parse(cls, *, slug: str, params: QueryDict) -> RecommendationQuery:
        """Validate; a bad value is a 400 naming it (``invalid_slug``, ``invalid_limit``, ``invalid_currency``)."""
        if len(slug) > SLUG_MAX_LENGTH or not SLUG.fullmatch(slug):
            raise _bad("slug", code="invalid_slug", detail="Lower-case letters, digits and single hyphens, at most 100.")
        raw_limit = params.get("limit", str(DEFAULT_LIMIT))
        if not _LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= RECOMMENDATIONS_MAX_LIMIT:
            raise _bad("limit", code="invalid_limit", detail=f"A whole number from 1 to {RECOMMENDATIONS_MAX_LIMIT}.")
        currency = params.get("currency")
        if currency is not None and not _CURRENCY.fullmatch(currency):
            raise _bad("currency", code="invalid_currency", detail="A currency is a three-letter ISO 4217 code such as EUR.")
        return cls(slug=slug, limit=int(raw_limit), currency=currency)


class RecommendedPriceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=3, coerce_to_string=True)
    currency = serializers.CharField()


class RecommendedProductSerializer(serializers.Serializer):
    """A recommended product; ``price`` and ``in_stock`` only when a currency was asked."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(help_text="bought together: recency-weighted orders with both; popular: units sold lately")
    price = RecommendedPriceSerializer(
        allow_null=True, required=False, help_text="Only with a currency: the lowest price; null when unknown or pricing is degraded."
    )
    in_stock = serializers.BooleanField(
        allow_null=True, required=False, help_text="Only with a currency: always true (out of stock is left out); null when inventory is degraded."
    )


class RecommendationsSerializer(serializers.Serializer):
    """Schema of an answer: the products, best first, and the modules that failed for it."""

    results = RecommendedProductSerializer(many=True)
    degraded = serializers.ListField(
        child=serializers.CharField(), help_text="The modules that failed for this answer (also in the Commerce-Degraded header)."
    )


def answer_data(answer: Answer, *, currency: str | None) -> dict[str, Any]:
    """Return the JSON body of ``answer``."""
    results = []
    for shown in answer.products:
        item: dict[str, Any] = {"id": shown.product_id, "slug": shown.slug, "name": shown.name, "score": shown.score}
        if currency is not None:
            item["price"] = {"amount": str(shown.price), "currency": currency} if shown.price is not None else None
            item["in_stock"] = shown.in_stock
        results.append(item)
    return {"results": results, "degraded": list(answer.degraded)}


CURRENCY_SCHEMA = currency_schema()
