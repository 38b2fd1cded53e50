"""Request and response bodies of the payments API: strict and bounded; a storefront never sends an amount."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from kernel.serializers import MoneyAmountField, StrictSerializer


class SessionCreateSerializer(StrictSerializer):
    cart = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$", help_text="the cart's token: the session is for its total now")
    email = serializers.EmailField(max_length=254, required=False, help_text="the customer's, for per-customer voucher rules")
    payment_method = serializers.CharField(
        max_length=200,
        required=False,
        help_text="pay at once with this payment method (server-side confirmation); without it, the storefront pays "
        "into the session with the provider's client-side library and the `client_secret`",
    )


class AuthenticateSerializer(StrictSerializer):
    result = serializers.ChoiceField(choices=["succeed", "fail"], default="succeed")


class RefundCreateSerializer(StrictSerializer):
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=3, min_value=Decimal("0.001"), required=False,
        help_text="at most what is left; all of it when left out",
    )
    reason = serializers.CharField(max_length=500)


class SessionOut(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[
            "requires_payment_method", "requires_action", "processing", "authorized", "capturing", "captured",
            "canceling", "canceled", "refunded",
        ]
    )
    amount = MoneyAmountField()
    currency = serializers.CharField()
    provider = serializers.CharField()
    client_secret = serializers.CharField(help_text="for the provider's client-side library")
    next_action = serializers.JSONField(allow_null=True, help_text="the provider's instructions while `requires_action`")
    decline_code = serializers.CharField(allow_blank=True)


class RefundOut(serializers.Serializer):
    id = serializers.CharField()
    amount = MoneyAmountField()
    reason = serializers.CharField()
    actor = serializers.CharField()
    provider_refund_id = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    created = serializers.DateTimeField()
