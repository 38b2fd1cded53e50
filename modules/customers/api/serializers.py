"""Request and response bodies of the customers API: strict and bounded."""

from __future__ import annotations

from rest_framework import serializers

from contracts.addresses import ADDRESS_FIELD_MAX_LENGTH as MAX
from kernel.serializers import StrictSerializer

# Long enough for any passphrase, short enough that hashing it is no denial of service.
PASSWORD_MAX_LENGTH = 256
LINK_TOKEN_MAX_LENGTH = 512


def _password(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True, help_text=help_text)


class CustomerRegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = _password("held to the password rules (length, not common, not numeric, not like the email or name)")
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    marketing_consent = serializers.BooleanField(required=False, default=False)


class CustomerLinkSerializer(StrictSerializer):
    token = serializers.CharField(max_length=LINK_TOKEN_MAX_LENGTH, help_text="the token of the link we emailed")


class CustomerEmailSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class CustomerSignInSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = _password()


class CustomerRefreshSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=2048, help_text="the refresh token; it is used up by this call")


class CustomerSignOutSerializer(StrictSerializer):
    everywhere = serializers.BooleanField(required=False, default=False, help_text="sign out every device")


class CustomerPasswordResetConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=LINK_TOKEN_MAX_LENGTH)
    password = _password()


class CustomerPasswordChangeSerializer(StrictSerializer):
    current_password = _password()
    password = _password()


class CustomerEmailChangeSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, help_text="the new email: a link is sent there to confirm it")
    password = _password("the current password")


class CustomerEraseSerializer(StrictSerializer):
    password = _password("the current password: erasing cannot be undone")


class CustomerProfileSerializer(StrictSerializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.RegexField(r"^\+?[0-9 ().-]{0,31}$", max_length=32, required=False, allow_blank=True)
    marketing_consent = serializers.BooleanField(required=False)


class CustomerSavedAddressSerializer(StrictSerializer):
    name = serializers.CharField(max_length=MAX["name"])
    company = serializers.CharField(max_length=MAX["company"], required=False, allow_blank=True)
    line1 = serializers.CharField(max_length=MAX["line1"])
    line2 = serializers.CharField(max_length=MAX["line2"], required=False, allow_blank=True)
    city = serializers.CharField(max_length=MAX["city"], required=False, allow_blank=True)
    region = serializers.CharField(max_length=MAX["region"], required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=MAX["postal_code"], required=False, allow_blank=True)
    country = serializers.CharField(max_length=MAX["country"])
    phone = serializers.CharField(max_length=MAX["phone"], required=False, allow_blank=True)
    is_default_shipping = serializers.BooleanField(required=False)
    is_default_billing = serializers.BooleanField(required=False)


class CustomerTokensOut(serializers.Serializer):
    access = serializers.CharField(help_text="send as `Authorization: Bearer <access>`")
    refresh = serializers.CharField(help_text="trade for a new pair at tokens/refresh/ before it expires; used once")
    access_expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()


class CustomerAcceptedOut(serializers.Serializer):
    detail = serializers.CharField()


class CustomerOut(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    email_confirmed = serializers.BooleanField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField()
    marketing_consent = serializers.BooleanField()
    marketing_consent_at = serializers.DateTimeField(allow_null=True)


class CustomerSavedAddressOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    company = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    phone = serializers.CharField()
    is_default_shipping = serializers.BooleanField()
    is_default_billing = serializers.BooleanField()
