"""Storefront endpoint of taxes: the shop's rates for a destination, so a storefront can say "incl. 19 % VAT"."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.addresses import Address
from contracts.taxes import TAX_CLASSES
from kernel.addresses import address_normalize
from kernel.schema import problem_responses
from modules.taxes import selectors
from modules.taxes.api.serializers import DestinationRatesSerializer, RatesQuerySerializer


class RatesView(APIView):
    # A well-formed query naming a country or region the address data does not know: 422 naming the field.
    contract_error_statuses = {"invalid": 422}

    @extend_schema(
        parameters=[
            OpenApiParameter("country", {"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "DE"}, required=True),
            OpenApiParameter(
                "region",
                {"type": "string", "maxLength": 128, "pattern": "^[^\\x00]*$"},
                description="Region code or name, e.g. CA.",
            ),
        ],
        responses={200: DestinationRatesSerializer, **problem_responses({400: ["validation_error"], 422: ["invalid"]})},
        description="The rate table's rates (the default tax provider's); an order's tax is what checkout's quote says.",
    )
    def get(self, request: Request) -> Response:
        """Return the tax rates by class at a destination, whether prices include tax, and how shipping is taxed."""
        query = RatesQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        destination = address_normalize(
            Address(name="", line1="", city="", country=query.validated_data["country"], region=query.validated_data["region"]),
            destination_only=True,
        )
        rates, taxed, rule = selectors.destination_rates(country=destination.country, region=destination.region)
        if not taxed:
            rates = dict.fromkeys(TAX_CLASSES, Decimal(0))
        rates["zero"] = Decimal(0)
        shown = [{"tax_class": tax_class, "rate": str(rates[tax_class])} for tax_class in TAX_CLASSES if tax_class in rates]
        body = {
            "country": destination.country,
            "region": destination.region,
            "prices_include_tax": settings.TAX_PRICES_INCLUDE_TAX,
            "taxed": taxed,
            "rates": shown,
            "shipping_tax": rule,
        }
        return Response(DestinationRatesSerializer(body).data)
