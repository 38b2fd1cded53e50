"""Request and response shapes of the pricing API; amounts are JSON strings, never floats."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from contracts.common import SKU_MAX_LENGTH
from contracts.pricing import AppliedDiscount
from kernel.serializers import MoneyAmountField, StrictSerializer, WholeNumberField
from modules.pricing.models import VOUCHER_CODE_MAX_LENGTH
from modules.pricing.selectors import QUOTE_MAX_LINES

PRICES_MAX_SKUS = 100


class PricesQuerySerializer(serializers.Serializer):
    """``?sku=A&sku=B&currency=EUR``: 1 to 100 SKUs (repeats ignored) and a currency."""

    sku = serializers.ListField(
        child=serializers.CharField(max_length=SKU_MAX_LENGTH), min_length=1, max_length=PRICES_MAX_SKUS
    )
    currency = serializers.CharField(max_length=16)


class PriceSerializer(serializers.Serializer):
    sku = serializers.CharField()
    amount = MoneyAmountField()
    currency = serializers.CharField()
    compare_at = MoneyAmountField(allow_null=True)


class PricesResponseSerializer(serializers.Serializer):
    """One page holding every price asked for, shaped like the other lists of the API."""

    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PriceSerializer(many=True)


class QuoteLineRequestSerializer(StrictSerializer):
    sku = serializers.CharField(max_length=SKU_MAX_LENGTH)
    quantity = WholeNumberField()

    def validate_quantity(self, value: int) -> int:
        maximum = settings.CHECKOUT_MAX_LINE_QUANTITY
        if not 1 <= value <= maximum:
            raise serializers.ValidationError(f"A quantity is a whole number from 1 to {maximum}.", code="invalid_quantity")
        return value


class QuoteRequestSerializer(StrictSerializer):
    currency = serializers.CharField(max_length=16)
    lines = serializers.ListField(child=QuoteLineRequestSerializer(), max_length=QUOTE_MAX_LINES)
    voucher_code = serializers.CharField(
        max_length=VOUCHER_CODE_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )


class QuoteLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyAmountField()
    discount = MoneyAmountField()
    total = MoneyAmountField()


class AppliedSerializer(serializers.Serializer):
    """A voucher as ``{"code", "amount"}``, a promotion as ``{"promotion", "amount"}``."""

    code = serializers.CharField(required=False, help_text="The voucher's code (vouchers only).")
    promotion = serializers.CharField(required=False, help_text="The promotion's name (promotions only).")
    amount = MoneyAmountField(help_text="How much it took off the quote in all.")

    def to_representation(self, instance: AppliedDiscount) -> dict[str, str]:
        key = "code" if instance.kind == "voucher" else "promotion"
        return {key: instance.code, "amount": str(instance.amount)}


class QuoteSerializer(serializers.Serializer):
    currency = serializers.CharField()
    lines = QuoteLineSerializer(many=True)
    subtotal = MoneyAmountField()
    discount_total = MoneyAmountField()
    total = MoneyAmountField()
    applied = AppliedSerializer(many=True)
    voucher_code = serializers.CharField(allow_null=True)
