"""Request and response shapes of the taxes API."""

from __future__ import annotations

from rest_framework import serializers

from kernel.serializers import StrictSerializer


class RatesQuerySerializer(StrictSerializer):
    """``?country=DE[&region=CA]``."""

    country = serializers.RegexField(r"^[A-Za-z]{2}\Z")
    region = serializers.CharField(required=False, allow_blank=True, max_length=128, default="")


class ClassRateSerializer(serializers.Serializer):
    tax_class = serializers.ChoiceField(choices=["standard", "reduced", "zero"])
    rate = serializers.CharField(help_text='Percent as a decimal string: "19" for 19 %, "7.25".')


class DestinationRatesSerializer(serializers.Serializer):
    country = serializers.CharField()
    region = serializers.CharField()
    prices_include_tax = serializers.BooleanField(help_text="Whether catalog prices include tax (TAX_PRICES_INCLUDE_TAX).")
    taxed = serializers.BooleanField(help_text="False where the shop has no rate for the destination: nothing is added.")
    rates = ClassRateSerializer(many=True)
    shipping_tax = serializers.ChoiceField(choices=["highest", "standard", "exempt"], help_text="How shipping is taxed there.")
