"""Request serializers that refuse what they do not know, and money fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.common import SKU_MAX_LENGTH, SKU_PATTERN, SKU_RULE, sku_valid


class StrictSerializer(serializers.Serializer):
    """Refuse unknown fields, and anything but a string for a text field, with a 400 instead of silently accepting them.

    A client must never believe it set something (a price, a discount) that
    the server threw away, so every request body goes through one of these.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")] for name in unknown}
                )
            # JSON scalars cross as sent: DRF's CharField turns 42 or true into "42"/"True"; a text field wants a string.
            not_text = {
                name: [serializers.ErrorDetail("A string is required.", code="invalid")]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not field.read_only
                and name in data
                and not isinstance(data[name], str)
                and not (data[name] is None and field.allow_null)
            }
            if not_text:
                raise serializers.ValidationError(not_text)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "decimal", "example": "19.90"})
class MoneyAmountField(serializers.Field):
    """A Decimal rendered as a JSON string ("19.90"), never a float."""

    def to_representation(self, value: Decimal) -> str:
        return str(value)

    def to_internal_value(self, data: Any) -> Decimal:
        raise NotImplementedError("amounts are computed by the server, never read from a client")


class WholeNumberField(serializers.IntegerField):
    """An integer that must arrive as a JSON integer: no strings, floats or booleans.

    DRF's IntegerField accepts "3", 3.0 and true; quantities must not.
    """

    default_error_messages = {**serializers.IntegerField.default_error_messages, "invalid": "A whole number is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


# The SKU rule of contracts.common in the dialect of OpenAPI (ECMA-262 has no \Z; a schema pattern is searched).
SKU_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": SKU_PATTERN.removesuffix(r"\Z") + "$",
    "minLength": 1,
    "maxLength": SKU_MAX_LENGTH,
    "description": f"A SKU: {SKU_RULE}.",
    "example": "TEE-M",
}


@extend_schema_field(SKU_SCHEMA)
class SkuField(serializers.CharField):
    """A SKU, held to the one rule every module shares (``contracts.common``), taken exactly as sent.

    No trimming: what the schema calls invalid (" TEE-M") the server refuses, so
    a client generated from the schema and the server always agree.
    """

    default_error_messages = {**serializers.CharField.default_error_messages, "invalid_sku": f"A SKU is {SKU_RULE}."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", SKU_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not sku_valid(value):
            self.fail("invalid_sku")
        return value


def currency_schema() -> dict[str, Any]:
    """Return the schema of a currency the shop sells in (``SHOP_CURRENCIES``, ISO 4217 codes)."""
    return {
        "type": "string",
        "enum": list(settings.SHOP_CURRENCIES),
        "description": "ISO 4217 code of a currency the shop sells in.",
    }


@extend_schema_field(currency_schema())
class CurrencyField(serializers.CharField):
    """A currency code taken exactly as sent (no trimming); which ones the shop sells in is the module's to check.

    The schema lists the shop's currencies; the module refuses any other with
    a 400 ``unknown_currency``, so the server refuses exactly what the schema
    does.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)
