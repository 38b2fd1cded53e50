"""Serializers of the inventory API."""

from __future__ import annotations

from rest_framework import serializers

from kernel.serializers import SkuField

SKUS_PER_REQUEST_MAX = 100


class AvailabilityQuerySerializer(serializers.Serializer):
    """``?sku=A&sku=B``: 1 to 100 SKUs, each held to the SKU rule; repeated SKUs are answered once."""

    sku = serializers.ListField(child=SkuField(), min_length=1, max_length=SKUS_PER_REQUEST_MAX)


class AvailabilitySerializer(serializers.Serializer):
    sku = SkuField()
    available = serializers.IntegerField(min_value=0)
    in_stock = serializers.BooleanField()


class AvailabilityPageSerializer(serializers.Serializer):
    """Every SKU asked for, on the one page of the list envelope every list of the API has."""

    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AvailabilitySerializer(many=True)
