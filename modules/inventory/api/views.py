"""Views of the inventory API: thin, they validate and call a selector."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.pagination import one_page
from kernel.schema import problem_responses
from kernel.serializers import SKU_SCHEMA
from modules.inventory import selectors
from modules.inventory.api.serializers import (
    SKUS_PER_REQUEST_MAX,
    AvailabilityPageSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
)


class AvailabilityView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sku",
                {"type": "array", "items": SKU_SCHEMA, "minItems": 1, "maxItems": SKUS_PER_REQUEST_MAX},
                required=True,
                explode=True,
                description=f"A SKU; repeat for more (1 to {SKUS_PER_REQUEST_MAX}). Unknown SKUs are answered with 0.",
            )
        ],
        responses={
            200: AvailabilityPageSerializer,
            **problem_responses({400: ["validation_error"]}),
        },
        description="Answered as a list page like every list (all SKUs asked for on one page).",
    )
    def get(self, request: Request) -> Response:
        """Return what can still be bought of each SKU asked for: on hand minus held; unknown SKUs are 0."""
        query = AvailabilityQuerySerializer(data={"sku": request.query_params.getlist("sku")})
        query.is_valid(raise_exception=True)
        skus = list(dict.fromkeys(query.validated_data["sku"]))
        available = selectors.availability_map(skus=skus)
        rows = [{"sku": sku, "available": available[sku], "in_stock": available[sku] > 0} for sku in skus]
        results = AvailabilitySerializer(rows, many=True).data
        return Response(one_page(results))
