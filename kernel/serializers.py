"""Request serializers that refuse what they do not know, and money fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuse unknown fields with a 400 instead of silently ignoring them.

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
