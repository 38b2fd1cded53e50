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
from contracts.pricing import PriceNotFound, VoucherInvalid
from kernel.pagination import one_page
from kernel.schema import problem_responses
from kernel.serializers import SKU_SCHEMA, currency_schema
from modules.pricing.api.serializers import (
    PRICES_MAX_SKUS,
    PriceSerializer,
    PricesQuerySerializer,
    PricesResponseSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)
from modules.pricing.selectors.prices import prices_get
from modules.pricing.selectors.quotes import quote_compute

VOUCHER_CODES = [
    f"voucher_{reason}"
    for reason in ("unknown", "expired", "not_yet_valid", "exhausted", "minimum_not_met", "inactive", "currency_mismatch")
]


class PricesView(APIView):
    # SKUs named in the query that have no price are not there: a 404 naming them.
    contract_error_statuses = {PriceNotFound: 404}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sku",
                {"type": "array", "items": SKU_SCHEMA, "minItems": 1, "maxItems": PRICES_MAX_SKUS},
                required=True,
                explode=True,
                description=f"Repeat for each SKU (1 to {PRICES_MAX_SKUS}; repeats are answered once).",
            ),
            OpenApiParameter("currency", currency_schema(), required=True),
        ],
        responses={
            200: PricesResponseSerializer,
            **problem_responses(
                {
                    400: ["validation_error", "unknown_currency"],
                    404: ["price_not_found"],
                }
            ),
        },
        description="A 404 `price_not_found` names every SKU without a price (`skus`) in the currency (`currency`).",
    )
    def get(self, request: Request) -> Response:
        """Return the current unit price of each SKU asked for; any SKU without one is a 404 naming it."""
        query = PricesQuerySerializer(
            data={"sku": request.query_params.getlist("sku"), "currency": request.query_params.get("currency")}
        )
        query.is_valid(raise_exception=True)
        skus = list(dict.fromkeys(query.validated_data["sku"]))
        currency = query.validated_data["currency"]
        prices = prices_get(skus=skus, currency=currency)
        missing = tuple(sku for sku in skus if sku not in prices)
        if missing:
            raise PriceNotFound(skus=missing, currency=currency)
        results = PriceSerializer([prices[sku] for sku in skus], many=True).data
        return Response(one_page(results))


class QuotesView(APIView):
    # The body is well formed (the schema's 400s are behind): what the shop's data refuses is a 422.
    contract_error_statuses = {PriceNotFound: 422, VoucherInvalid: 422, "invalid_lines": 422}

    @extend_schema(
        request=QuoteRequestSerializer,
        responses={
            200: QuoteSerializer,
            **problem_responses(
                {
                    400: ["validation_error", "parse_error", "unknown_currency"],
                    422: ["price_not_found", "invalid_lines", *VOUCHER_CODES],
                }
            ),
        },
        description=(
            "A 422 says what the shop's data refuses: `price_not_found` (`skus` without a price), `voucher_<reason>`, "
            "or `invalid_lines` when lines of one SKU together exceed the per-line maximum (`errors` names them)."
        ),
    )
    def post(self, request: Request) -> Response:
        """Price a set of lines with the current promotions and an optional voucher; nothing is stored."""
        body = QuoteRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        quote = quote_compute(
            currency=data["currency"],
            lines=[SkuQuantity(sku=line["sku"], quantity=line["quantity"]) for line in data["lines"]],
            voucher_code=data.get("voucher_code") or None,
        )
        return Response(QuoteSerializer(quote).data)
