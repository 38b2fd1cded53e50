"""Views of the inventory API: thin, they validate and call a selector."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.pagination import one_page
from modules.inventory import selectors
from modules.inventory.api.serializers import AvailabilityQuerySerializer, AvailabilitySerializer


class AvailabilityView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sku", OpenApiTypes.STR, many=True, required=True, description="A SKU; repeat for more (at most 100)."
            )
        ],
        responses=AvailabilitySerializer(many=True),
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
