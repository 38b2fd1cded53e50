"""Serializers of the inventory API."""

from __future__ import annotations

from rest_framework import serializers

from contracts.common import SKU_MAX_LENGTH

SKUS_PER_REQUEST_MAX = 100


class AvailabilityQuerySerializer(serializers.Serializer):
    """``?sku=A&sku=B``: 1 to 100 SKUs; repeated SKUs are answered once."""

    sku = serializers.ListField(
        child=serializers.CharField(max_length=SKU_MAX_LENGTH, trim_whitespace=True),
        min_length=1,
        max_length=SKUS_PER_REQUEST_MAX,
    )


class AvailabilitySerializer(serializers.Serializer):
    sku = serializers.CharField()
    available = serializers.IntegerField()
    in_stock = serializers.BooleanField()
