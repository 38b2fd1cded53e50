"""Request and response shapes of the pricing API; amounts are JSON strings, never floats."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.pricing import AppliedDiscount
from kernel.serializers import CurrencyField, MoneyAmountField, SkuField, StrictSerializer, WholeNumberField
from modules.pricing.models import VOUCHER_CODE_MAX_LENGTH
from modules.pricing.selectors.quotes import QUOTE_MAX_LINES

PRICES_MAX_SKUS = 100


class PricesQuerySerializer(serializers.Serializer):
    """``?sku=A&sku=B&currency=EUR``: 1 to 100 SKUs (repeats ignored) and a currency."""

    sku = serializers.ListField(child=SkuField(), min_length=1, max_length=PRICES_MAX_SKUS)
    currency = CurrencyField()


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


@extend_schema_field(
    {
        "type": "string",
        "maxLength": VOUCHER_CODE_MAX_LENGTH,
        # No NUL: no database stores one (the server refuses it as it refuses any other schema breach).
        "pattern": "^[^\\x00]*$",
        "description": "A voucher code, compared without case and surrounding spaces; empty or null: none.",
        "example": "WELCOME10",
    }
)
class VoucherCodeField(serializers.CharField):
    """A voucher code as sent (at most 64 characters); the module normalizes it (case, surrounding spaces)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=VOUCHER_CODE_MAX_LENGTH, trim_whitespace=False, **kwargs)


class QuoteLineRequestSerializer(StrictSerializer):
    sku = SkuField()
    quantity = WholeNumberField(
        min_value=1,
        max_value=settings.CHECKOUT_MAX_LINE_QUANTITY,
        help_text="Lines of the same SKU are merged; the merged quantity must stay within the same bound (else 422).",
    )


class QuoteRequestSerializer(StrictSerializer):
    currency = CurrencyField()
    lines = serializers.ListField(child=QuoteLineRequestSerializer(), max_length=QUOTE_MAX_LINES)
    voucher_code = VoucherCodeField(required=False, allow_null=True, allow_blank=True)


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
