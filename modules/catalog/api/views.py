"""Storefront catalog endpoints: thin views over the selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from kernel.http_cache import bytes_response, conditional_get
from kernel.pagination import CountedRange, page_parameters
from kernel.renderers import ORJSONRenderer, json_bytes
from kernel.schema import WholeAnswerSchema, problem_responses
from kernel.serializers import currency_schema
from modules.catalog import cache
from modules.catalog.api.serializers import (
    DEFAULT_ORDERING,
    ORDERINGS,
    CategorySerializer,
    ListingQuery,
    ProductDetailSerializer,
    ProductPageSerializer,
    ProductSerializer,
    currency_parse,
    product_data,
)
from modules.catalog.selectors.cards import ProductCard, product_visible_get, products_in_order, products_page
from modules.catalog.selectors.offers import Offers, PriceRanking, offers_get, products_rank_by_price
from modules.catalog.selectors.search import products_search, search_terms
from modules.catalog.selectors.tree import categories_list

DEGRADED_HEADER = "Commerce-Degraded"

CURRENCY_PARAMETER = OpenApiParameter(
    "currency",
    currency_schema(),
    description="ISO 4217 code of a currency the shop sells in: adds prices and availability",
)
# Conditional GET on every catalog read (ConditionalGetMixin): documented, so a client or CDN can rely on it.
CONDITIONAL_GET_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match", str, OpenApiParameter.HEADER, description="an ETag of an earlier answer: 304 Not Modified when unchanged"
    ),
    OpenApiParameter("ETag", str, OpenApiParameter.HEADER, response=[200, 304], description="the answer's entity tag"),
    OpenApiParameter(
        "Cache-Control",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="public, max-age=1 (no-store for a degraded answer): the storefront is at most 2 s stale",
    ),
]
DEGRADED_PARAMETER = OpenApiParameter(
    DEGRADED_HEADER,
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="Only on a degraded answer: the modules that failed, comma-separated (pricing, inventory)",
)
LISTING_PARAMETERS = [
    OpenApiParameter("category", str, description="category slug; includes its subcategories (unknown: no products)"),
    OpenApiParameter("q", str, description="text searched in name, description and SKU (bounded)"),
    OpenApiParameter(
        "ordering",
        {"type": "string", "enum": list(ORDERINGS), "default": DEFAULT_ORDERING},
        description="price orderings need currency= (without it: 422 currency_required)",
    ),
    CURRENCY_PARAMETER,
]
NOT_MODIFIED = {304: OpenApiResponse(description="Not Modified: the answer is unchanged since the ETag in If-None-Match")}


def _renderers() -> list[Any]:
    """Return the configured renderers with DRF's JSON renderer swapped for the orjson one (same bytes, less CPU)."""
    return [ORJSONRenderer if r is JSONRenderer else r for r in api_settings.DEFAULT_RENDERER_CLASSES]


def _skus(products: list[ProductCard]) -> list[str]:
    return [v.sku for p in products for v in p.variants]


def _degraded_headers(offers: Offers | None) -> dict[str, str]:
    return {DEGRADED_HEADER: ", ".join(offers.degraded)} if offers is not None and offers.degraded else {}


def _degraded_list(offers: Offers | None) -> list[str]:
    return list(offers.degraded) if offers is not None else []


class ConditionalGetMixin:
    """Catalog reads carry ``ETag`` and ``Cache-Control: public, max-age=…`` and answer 304 to a matching ``If-None-Match``.

    A degraded answer gets ``Cache-Control: no-store``: nobody may keep it.
    """

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        return conditional_get(
            request, response, max_age=cache.http_max_age(), public=not response.has_header(DEGRADED_HEADER)
        )


def _served(request: Request, build: Callable[[], tuple[dict[str, Any], Offers | None]]) -> Any:
    """Answer from the response cache, or ``build`` the data, render it once and cache it unless degraded.

    Only the JSON rendering is cached (and served as bytes, past DRF's
    renderer); another renderer (the browsable API in DEBUG) gets a plain
    ``Response``. See ``modules.catalog.cache`` for keys and freshness.
    """
    if not isinstance(request.accepted_renderer, ORJSONRenderer):
        data, offers = build()
        return Response(data, headers=_degraded_headers(offers))
    key = cache.response_key(request)
    body = cache.response_get(key)
    if body is not None:
        return bytes_response(body, content_type=ORJSONRenderer.media_type)
    data, offers = build()
    body = json_bytes(data)
    headers = _degraded_headers(offers)
    if not headers:
        cache.response_set(key, body)
    return bytes_response(body, content_type=ORJSONRenderer.media_type, headers=headers)


class CategoryListView(ConditionalGetMixin, ListAPIView):
    """The category tree, parents before children: ``slug``, ``name``, ``parent`` (slug or null), ``path``."""

    renderer_classes = _renderers()
    serializer_class = CategorySerializer

    @extend_schema(
        parameters=CONDITIONAL_GET_PARAMETERS,
        responses={
            200: CategorySerializer(many=True),
            **NOT_MODIFIED,
            **problem_responses({400: ["validation_error"], 404: ["not_found"]}),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:  # documented here: the schema reads ``get``
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return categories_list()


class ProductListView(ConditionalGetMixin, ListAPIView):
    """Visible products: filters ``category``, ``q``; ``ordering``; ``currency`` adds prices and availability.

    When pricing or inventory fails, the page still answers without that
    part, lists the module in ``degraded`` and in the ``Commerce-Degraded``
    header.
    """

    renderer_classes = _renderers()
    serializer_class = ProductSerializer
    schema = WholeAnswerSchema()  # the page is documented whole: ProductPageSerializer, with ``degraded``
    # Well-formed queries that the listing cannot serve: a rule the schema cannot state.
    contract_error_statuses = {"currency_required": 422, "ordering_too_broad": 422}

    @extend_schema(
        operation_id="v1_catalog_products_list",
        parameters=[*LISTING_PARAMETERS, *page_parameters(), *CONDITIONAL_GET_PARAMETERS, DEGRADED_PARAMETER],
        responses={
            200: ProductPageSerializer,
            **NOT_MODIFIED,
            **problem_responses(
                {
                    400: ["validation_error", "invalid_ordering", "invalid_currency", "unknown_currency"],
                    404: ["not_found"],
                    422: ["currency_required", "ordering_too_broad"],
                }
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:  # documented here: the schema reads ``get``
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        query = ListingQuery.parse(request.query_params)
        return _served(request, lambda: self._page(request, query))

    def _page(self, request: Request, query: ListingQuery) -> tuple[dict[str, Any], Offers | None]:
        products = products_search(category=query.category, q=query.q)
        prices, pricing_done = None, False
        if ORDERINGS[query.ordering] is None and query.currency is not None:
            # ListingQuery refuses price ordering without a currency, so this is every price ordering.
            descending = query.ordering.startswith("-")
            fetched: list[PriceRanking] = []

            def rank() -> list[int] | None:
                ranking = products_rank_by_price(
                    products=products, currency=query.currency, descending=descending
                )
                fetched.append(ranking)
                return ranking.product_ids if ranking.prices is not None else None

            ranked = cache.price_ranking(
                category=query.category,
                terms=search_terms(query.q or ""),
                currency=query.currency,
                descending=descending,
                compute=rank,
            )
            page_ids = self.paginate_queryset(ranked if ranked is not None else fetched[0].product_ids)
            page = products_in_order(ids=page_ids)
            if fetched:  # ranked now: the page's prices came with the ranking
                prices, pricing_done = fetched[0].prices, True
        else:
            ordering = ORDERINGS[query.ordering]
            page = self.paginate_queryset(
                CountedRange(
                    count=lambda: cache.listing_count(
                        category=query.category, terms=search_terms(query.q or ""), compute=products.count
                    ),
                    fetch=lambda offset, limit: products_page(
                        products=products, ordering=ordering, offset=offset, limit=limit
                    ),
                )
            )
        offers = None
        if query.currency is not None:
            offers = offers_get(
                skus=_skus(page), currency=query.currency, prices=prices, pricing_done=pricing_done
            )
        data = self.get_paginated_response([product_data(card, offers) for card in page]).data
        data["degraded"] = _degraded_list(offers)
        return data, offers


class ProductDetailView(ConditionalGetMixin, RetrieveAPIView):
    """One visible product with its active variants; 404 when unknown, unpublished or without an active variant."""

    renderer_classes = _renderers()
    serializer_class = ProductSerializer

    @extend_schema(
        parameters=[CURRENCY_PARAMETER, *CONDITIONAL_GET_PARAMETERS, DEGRADED_PARAMETER],
        responses={
            200: ProductDetailSerializer,
            **NOT_MODIFIED,
            **problem_responses(
                {400: ["invalid_currency", "unknown_currency"], 404: ["product_not_found", "not_found"]}
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:  # documented here: the schema reads ``get``
        return super().get(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, slug: str, **kwargs: Any) -> Any:
        currency = currency_parse(request.query_params)
        return _served(request, lambda: self._product(slug=slug, currency=currency))

    def _product(self, *, slug: str, currency: str | None) -> tuple[dict[str, Any], Offers | None]:
        product = product_visible_get(slug=slug)
        offers = offers_get(skus=_skus([product]), currency=currency) if currency is not None else None
        data = product_data(product, offers)
        data["degraded"] = _degraded_list(offers)
        return data, offers
