"""Request and response shapes of the shipping API; amounts are JSON strings, never floats."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from kernel.serializers import CurrencyField, MoneyAmountField, StrictSerializer

COUNTRY_SCHEMA = {"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 3166-1 alpha-2 code.", "example": "DE"}
MAX_WEIGHT_GRAMS = 10**9


class MethodsQuerySerializer(StrictSerializer):
    """``?country=DE&currency=EUR[&region=..][&postal_code=..][&subtotal=..][&weight_grams=..]``."""

    country = serializers.RegexField(r"^[A-Za-z]{2}\Z")
    region = serializers.CharField(required=False, allow_blank=True, max_length=128, default="")
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")
    currency = CurrencyField()
    subtotal = serializers.DecimalField(max_digits=15, decimal_places=3, min_value=0, required=False, default=Decimal(0))
    weight_grams = serializers.IntegerField(
        min_value=0, max_value=MAX_WEIGHT_GRAMS, required=False, allow_null=True, default=None
    )


class ShippingMethodSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The method's code: what a cart names.")
    name = serializers.CharField()
    carrier = serializers.CharField()
    zone = serializers.CharField()
    basis = serializers.ChoiceField(choices=["flat", "subtotal", "weight"])
    price = MoneyAmountField()
    currency = serializers.CharField()
    delivery_days_min = serializers.IntegerField(allow_null=True)
    delivery_days_max = serializers.IntegerField(allow_null=True)


class ShippingMethodsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ShippingMethodSerializer(many=True)


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CountrySerializer(serializers.Serializer):
    country = serializers.CharField()
    regions = RegionSerializer(many=True, help_text="Empty where the country has no list of regions.")
    region_required = serializers.BooleanField()
    postal_code_required = serializers.BooleanField()


class CountriesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CountrySerializer(many=True)
