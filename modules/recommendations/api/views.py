"""Storefront recommendations endpoints: thin views over the selectors and the enrichment."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.recommendations import RECOMMENDATIONS_MAX_LIMIT, Recommendation
from kernel.schema import problem_responses
from modules.recommendations import selectors
from modules.recommendations.api.serializers import (
    CURRENCY_SCHEMA,
    DEFAULT_LIMIT,
    SLUG,
    SLUG_MAX_LENGTH,
    RecommendationQuery,
    RecommendationsSerializer,
    answer_data,
)
from modules.recommendations.enrichment import recommendations_show

DEGRADED_HEADER = "Commerce-Degraded"
# Asked of the model beyond the limit: room for what the catalog or inventory then leaves out.
OVERFETCH = 3

PARAMETERS = [
    OpenApiParameter("slug", {"type": "string", "pattern": f"^{SLUG.pattern}$", "maxLength": SLUG_MAX_LENGTH}, OpenApiParameter.PATH),
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": RECOMMENDATIONS_MAX_LIMIT, "default": DEFAULT_LIMIT}),
    OpenApiParameter("currency", CURRENCY_SCHEMA, description="adds prices and stock, and leaves out what is out of stock"),
    OpenApiParameter(
        DEGRADED_HEADER,
        str,
        OpenApiParameter.HEADER,
        response=[200],
        description="Only on a degraded answer: the modules that failed, comma-separated (catalog, pricing, inventory)",
    ),
]
PROBLEMS = problem_responses({400: ["invalid_slug", "invalid_limit", "invalid_currency", "unknown_currency"]})


def _answer(request: Request, *, slug: str, rank: Callable[[str, int], Sequence[Recommendation]]) -> Response:
    query = RecommendationQuery.parse(slug=slug, params=request.query_params)
    ranked = rank(query.slug, min(query.limit * OVERFETCH, RECOMMENDATIONS_MAX_LIMIT))
    answer = recommendations_show(recommendations=ranked, currency=query.currency, limit=query.limit)
    headers = {DEGRADED_HEADER: ", ".join(answer.degraded)} if answer.degraded else {}
    return Response(answer_data(answer, currency=query.currency), headers=headers)


class BoughtTogetherView(APIView):
    """Products bought together with this one, recent orders weighing more; empty when it never sold."""

    @extend_schema(operation_id="recommendations_bought_together", parameters=PARAMETERS, responses={200: RecommendationsSerializer, **PROBLEMS})
    def get(self, request: Request, slug: str) -> Response:
        return _answer(request, slug=slug, rank=lambda s, n: selectors.bought_together(product_slug=s, limit=n))


class PopularView(APIView):
    """Products selling most in this category (and below it) lately; empty for an unknown category."""

    @extend_schema(operation_id="recommendations_popular", parameters=PARAMETERS, responses={200: RecommendationsSerializer, **PROBLEMS})
    def get(self, request: Request, slug: str) -> Response:
        return _answer(request, slug=slug, rank=lambda s, n: selectors.popular(category_slug=s, limit=n))
