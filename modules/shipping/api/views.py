"""Storefront endpoints of shipping: where the shop delivers, and a shipping estimate for a destination.

The cart-bound list (``/checkout/carts/<token>/shipping-methods/``) is
checkout's: it knows the cart's lines and weights. These are shipping's own
views, so they call shipping's code directly.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.addresses import Address
from contracts.errors import FieldProblem, InvalidInput
from contracts.shipping import ShippableLine, ShippingWeightMissing
from kernel.addresses import country_form
from kernel.pagination import one_page
from kernel.schema import problem_responses
from kernel.serializers import currency_schema
from modules.shipping import quoting, selectors
from modules.shipping.api.serializers import (
    COUNTRY_SCHEMA,
    MAX_WEIGHT_GRAMS,
    CountriesSerializer,
    MethodsQuerySerializer,
    ShippingMethodSerializer,
    ShippingMethodsSerializer,
)
from modules.shipping.facade import to_option

ESTIMATE = "estimate"  # the one line of an estimate: the weight asked about


class CountriesView(APIView):
    @extend_schema(responses={200: CountriesSerializer})
    def get(self, request: Request) -> Response:
        """List the countries the shop delivers to, each with its regions and the fields its addresses require."""
        return Response(one_page([country_form(country) for country in selectors.countries_served()]))


class MethodsView(APIView):
    # The query is well formed (the schema's 400s are behind): a destination the country's rules refuse, or a missing
    # weight a method needs, is a 422 naming the field.
    contract_error_statuses = {"invalid": 422, "weight_missing": 422}

    @extend_schema(
        parameters=[
            OpenApiParameter("country", COUNTRY_SCHEMA, required=True),
            OpenApiParameter("currency", currency_schema(), required=True),
            OpenApiParameter(
                "region",
                {"type": "string", "maxLength": 128, "pattern": "^[^\\x00]*$"},
                description="Region code or name, e.g. CA.",
            ),
            OpenApiParameter("postal_code", {"type": "string", "maxLength": 32, "pattern": "^[^\\x00]*$"}),
            OpenApiParameter(
                "subtotal",
                {"type": "string", "format": "decimal", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,3})?$", "example": "49.90"},
                description="Goods total after discounts; 0 if absent.",
            ),
            OpenApiParameter(
                "weight_grams",
                {"type": "integer", "minimum": 0, "maximum": MAX_WEIGHT_GRAMS},
                description="Total weight; required where a weight-based method delivers.",
            ),
        ],
        responses={
            200: ShippingMethodsSerializer,
            **problem_responses({400: ["validation_error", "unknown_currency"], 422: ["invalid", "weight_missing"]}),
        },
        description=(
            "A shipping estimate: the methods that deliver to the destination, priced for a subtotal and a weight, "
            "cheapest first. A country, region or postal code the country's rules refuse is a 422 `invalid` naming the "
            "field (`errors`); a weight-based method without `weight_grams` a 422 `weight_missing`."
        ),
    )
    def get(self, request: Request) -> Response:
        """List the delivery methods for a destination, priced for a subtotal and a total weight."""
        query = MethodsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        destination = Address(
            name="", line1="", city="", country=data["country"], region=data["region"], postal_code=data["postal_code"]
        )
        try:
            _, priced = quoting.methods_available(
                address=destination,
                currency=data["currency"],
                subtotal=data["subtotal"],
                lines=[ShippableLine(sku=ESTIMATE, quantity=1, weight_grams=data["weight_grams"])],
            )
        except ShippingWeightMissing:
            problem = FieldProblem(field="weight_grams", code="weight_missing", detail="A weight-based method delivers here.")
            raise InvalidInput(
                "Give weight_grams: a weight-based method delivers here.", code="weight_missing", errors=(problem,)
            ) from None
        options = [to_option(method, price, data["currency"]) for method, price in priced]
        return Response(one_page(ShippingMethodSerializer(options, many=True).data))
