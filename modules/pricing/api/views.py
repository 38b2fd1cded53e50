"""Storefront endpoints of pricing: current prices and quotes. Thin: validate, call the module's selectors, render.

These are pricing's own views, so they call pricing's selectors directly; the
container (``services()``) is for other modules.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.common import SkuQuantity
from contracts.pricing import PriceNotFound
from kernel.pagination import one_page
from modules.pricing import selectors
from modules.pricing.api.serializers import (
    PriceSerializer,
    PricesQuerySerializer,
    PricesResponseSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)


class PricesView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("sku", str, many=True, required=True, description="Repeat for each SKU (at most 100)."),
            OpenApiParameter("currency", str, required=True, description="ISO 4217 code, e.g. EUR."),
        ],
        responses=PricesResponseSerializer,
    )
    def get(self, request: Request) -> Response:
        """Return the current unit price of each SKU asked for; any SKU without one is a 400 naming it."""
        query = PricesQuerySerializer(
            data={"sku": request.query_params.getlist("sku"), "currency": request.query_params.get("currency")}
        )
        query.is_valid(raise_exception=True)
        skus = list(dict.fromkeys(query.validated_data["sku"]))
        currency = query.validated_data["currency"]
        prices = selectors.prices_get(skus=skus, currency=currency)
        missing = tuple(sku for sku in skus if sku not in prices)
        if missing:
            raise PriceNotFound(skus=missing, currency=currency)
        results = PriceSerializer([prices[sku] for sku in skus], many=True).data
        return Response(one_page(results))


class QuotesView(APIView):
    @extend_schema(request=QuoteRequestSerializer, responses=QuoteSerializer)
    def post(self, request: Request) -> Response:
        """Price a set of lines with the current promotions and an optional voucher; nothing is stored."""
        body = QuoteRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        quote = selectors.quote_compute(
            currency=data["currency"],
            lines=[SkuQuantity(sku=line["sku"], quantity=line["quantity"]) for line in data["lines"]],
            voucher_code=data.get("voucher_code") or None,
        )
        return Response(QuoteSerializer(quote).data)
