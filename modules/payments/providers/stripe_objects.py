"""Stripe's objects as the provider port's: amounts in minor units per currency, intents, refunds, events.

Pure mapping, no calls: ``StripeProvider`` (``stripe.py``) sends and receives,
this file translates. See ``stripe.py`` for the rules on amounts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from modules.payments.providers.base import (
    IntentStatus,
    ProviderEvent,
    ProviderFailure,
    ProviderIntent,
    ProviderRefund,
    WebhookInvalid,
)

logger = logging.getLogger(__name__)

# https://docs.stripe.com/currencies: amounts are integers in the currency's smallest unit.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})  # the last minor digit must be 0
WHOLE_UNITS_WRITTEN_IN_HUNDREDTHS = frozenset({"ISK"})  # two-decimal in the API, whole krónur only

INTENT_STATUSES: frozenset[str] = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    }
)
LEGACY_INTENT_STATUSES = {"requires_source": "requires_payment_method", "requires_source_action": "requires_action"}

# The event types the payments module acts on; a webhook endpoint in Stripe's dashboard subscribes to these only.
HANDLED_EVENT_TYPES = frozenset(
    {
        "payment_intent.created",
        "payment_intent.requires_action",
        "payment_intent.processing",
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refunded",
        "charge.refund.updated",
    }
)


def _places(currency: str) -> tuple[int, int]:
    """Return (Stripe's exponent, decimals an amount may have) for ``currency``."""
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0, 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3, 2
    if code in WHOLE_UNITS_WRITTEN_IN_HUNDREDTHS:
        return 2, 0
    return 2, 2


def amount_to_minor(amount: Decimal, currency: str) -> int:
    """Return ``amount`` of ``currency`` in Stripe's minor units (EUR 10.50 → 1050, JPY 500 → 500).

    Raises ValueError for an amount that is not positive or has more decimals than Stripe takes in that currency.
    """
    exponent, decimals = _places(currency)
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"a {currency} amount for Stripe must be positive, not {amount}")
    if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
        raise ValueError(f"{currency.upper()} amounts have at most {decimals} decimals for Stripe, not {amount}")
    return int(amount.scaleb(exponent))


def amount_from_minor(value: int, currency: str) -> Decimal:
    """Return Stripe's minor-unit ``value`` of ``currency`` as a Decimal in major units (1050 EUR → 10.50)."""
    exponent, _ = _places(currency)
    return Decimal(int(value)).scaleb(-exponent)


def intent_from_stripe(obj: Mapping[str, Any]) -> ProviderIntent:
    """Map a PaymentIntent object (as a plain dict) to the port's ProviderIntent."""
    currency = str(obj["currency"]).upper()
    status = str(obj["status"])
    status = LEGACY_INTENT_STATUSES.get(status, status)
    if status not in INTENT_STATUSES:
        logger.warning("stripe intent %s has an unknown status %r; treated as processing", obj.get("id"), status)
        status = "processing"
    last_error = obj.get("last_payment_error")
    failure = None
    if last_error:
        failure = ProviderFailure(
            code=str(last_error.get("code") or last_error.get("type") or "payment_failed"),
            decline_code=str(last_error.get("decline_code") or ""),
            message=str(last_error.get("message") or ""),
        )
    return ProviderIntent(
        id=str(obj["id"]),
        status=cast(IntentStatus, status),
        amount=amount_from_minor(obj["amount"], currency),
        currency=currency,
        amount_capturable=amount_from_minor(obj.get("amount_capturable") or 0, currency),
        amount_received=amount_from_minor(obj.get("amount_received") or 0, currency),
        client_secret=str(obj.get("client_secret") or ""),
        next_action=dict(obj["next_action"]) if obj.get("next_action") else None,
        last_failure=failure,
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
    )


def refund_from_stripe(obj: Mapping[str, Any]) -> ProviderRefund:
    """Map a Refund object (as a plain dict) to the port's ProviderRefund."""
    currency = str(obj["currency"]).upper()
    status = str(obj["status"])
    if status == "requires_action":  # some payment methods need the customer's details; still on its way
        status = "pending"
    if status not in ("pending", "succeeded", "failed", "canceled"):
        raise ValueError(f"unknown refund status {status!r}")
    return ProviderRefund(
        id=str(obj["id"]),
        intent_id=str(obj.get("payment_intent") or ""),
        amount=amount_from_minor(obj["amount"], currency),
        currency=currency,
        status=cast(Any, status),
    )


def event_from_stripe(data: Mapping[str, Any]) -> ProviderEvent:
    """Map a verified Event object (as a plain dict) to the port's ProviderEvent; raise WebhookInvalid for others."""
    try:
        if data.get("object") != "event":
            raise WebhookInvalid("the payload is not a Stripe event")
        event_id, event_type, created = str(data["id"]), str(data["type"]), int(data["created"])
        if event_type not in HANDLED_EVENT_TYPES:
            raise WebhookInvalid(f"unhandled event type {event_type!r}")
        obj = data["data"]["object"]
        kind = obj.get("object")
        if kind == "payment_intent":
            return ProviderEvent(id=event_id, type=event_type, created=created, intent=intent_from_stripe(obj))
        if kind == "refund":
            return ProviderEvent(id=event_id, type=event_type, created=created, refund=refund_from_stripe(obj))
        if kind == "charge":
            # charge.refunded: a Charge lists its refunds (newest first) only in API versions before 2022-11-15 or
            # when expanded; otherwise the event names no refund and refund.created/refund.updated carry them.
            refunds = (obj.get("refunds") or {}).get("data") or []
            refund = refund_from_stripe(refunds[0]) if refunds else None
            return ProviderEvent(id=event_id, type=event_type, created=created, refund=refund)
        raise WebhookInvalid(f"event {event_type!r} carries an unexpected {kind!r} object")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise WebhookInvalid(f"malformed event: {error!r}") from error
