"""Request bodies of the checkout API: strict, bounded, and never carrying an amount."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kernel.serializers import CurrencyField, MoneyAmountField, SkuField, StrictSerializer, WholeNumberField


class CartCreateSerializer(StrictSerializer):
    currency = CurrencyField()


class LineAddSerializer(StrictSerializer):
    sku = SkuField()
    quantity = WholeNumberField(min_value=1, max_value=settings.CHECKOUT_MAX_LINE_QUANTITY)


class LineSetSerializer(StrictSerializer):
    quantity = WholeNumberField(min_value=0, max_value=settings.CHECKOUT_MAX_LINE_QUANTITY, help_text="0 removes the line")


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 64,
        # Something besides spaces (they are trimmed), and no NUL.
        "pattern": "^[^\\x00]*[^\\s\\x00][^\\x00]*$",
        "example": "WELCOME10",
    }
)
class VoucherCodeField(serializers.CharField):
    """A voucher code as typed: surrounding spaces are trimmed, case does not matter."""


class VoucherSerializer(StrictSerializer):
    code = VoucherCodeField(max_length=64, trim_whitespace=True)


class AddressSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.RegexField(r"^[A-Z]{2}$", max_length=2, help_text="ISO 3166-1 alpha-2")


class PaymentSerializer(StrictSerializer):
    session = serializers.RegexField(
        r"^ps_[a-f0-9]{24}$",
        required=False,
        help_text="the payment session the customer paid into (POST /api/v1/payments/sessions/)",
    )
    method = serializers.ChoiceField(
        choices=settings.CHECKOUT_PAYMENT_METHODS, required=False, help_text="deprecated: with `token`, pay at once"
    )
    token = serializers.CharField(
        max_length=200, required=False, allow_null=True, help_text="deprecated: a payment method to pay with at once"
    )

    def validate(self, attrs: dict) -> dict:
        if "session" in attrs and ("method" in attrs or attrs.get("token")):
            raise serializers.ValidationError("Name a payment session, or a method and token; not both.")
        if "session" not in attrs and "method" not in attrs:
            raise serializers.ValidationError({"session": ["Name the payment session the customer paid into."]})
        return attrs


class CompleteSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    shipping_address = AddressSerializer(required=False)
    shipping_address_id = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False,
        help_text="instead of `shipping_address`: a saved address of the signed-in customer (GET /api/v1/customers/me/addresses/)",
    )
    payment = PaymentSerializer()

    def validate(self, attrs: dict) -> dict:
        if ("shipping_address" in attrs) == ("shipping_address_id" in attrs):
            raise serializers.ValidationError({"shipping_address": ["Give a shipping address, or the id of a saved one; one of them."]})
        return attrs


# --- Response shapes: the views render the selectors' documents through these, and the schema is generated from them ---

Money = MoneyAmountField  # a decimal as a JSON string, e.g. "19.90"


class CartLineOut(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = Money(allow_null=True)
    discount = Money(allow_null=True)
    total = Money(allow_null=True)
    available = serializers.IntegerField()
    problem = serializers.ChoiceField(choices=["unavailable", "no_price"], allow_null=True)


class AppliedOut(serializers.Serializer):
    code = serializers.CharField(required=False, help_text="voucher code")
    promotion = serializers.CharField(required=False, help_text="promotion name")
    amount = Money()


class CartOut(serializers.Serializer):
    token = serializers.CharField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "completed"])
    lines = CartLineOut(many=True)
    voucher_code = serializers.CharField(allow_null=True)
    voucher_problem = serializers.CharField(allow_null=True)
    subtotal = Money()
    discount_total = Money()
    total = Money()
    applied = AppliedOut(many=True)
    order_number = serializers.CharField(allow_null=True)


class OrderLineOut(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = Money()
    discount = Money()
    total = Money()


class OrderOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["placed", "paid", "cancelled", "fulfilled"],
        help_text=(
            "The answer to complete is `placed`: stock is committed and the payment captured right after, "
            "and the order then reads `paid` (or `cancelled`, if its stock was gone for good)."
        ),
    )
    email = serializers.EmailField()
    currency = serializers.CharField()
    lines = OrderLineOut(many=True)
    voucher_code = serializers.CharField(allow_null=True)
    subtotal = Money()
    discount_total = Money()
    total = Money()
    shipping_address = AddressSerializer()
    created = serializers.DateTimeField()
    access_token = serializers.CharField(required=False, help_text="only in the response to complete")
