"""The test provider: the provider port over a ledger in our own database, for demos and tests.

Payment methods (Stripe's test names, and the short ones the test gateway knew):

- anything else, e.g. ``pm_card_visa``: authorized at once;
- ``decline`` / ``pm_card_chargeDeclined``: declined (``generic_decline``);
- ``insufficient_funds`` / ``pm_card_chargeDeclinedInsufficientFunds``: declined (``insufficient_funds``);
- ``3ds`` / ``pm_card_threeDSecure2Required``: needs the customer to authenticate; ``intent_authenticate``
  (or ``POST /api/v1/payments/test-provider/intents/<id>/authenticate/``) stands for the bank's page;
- ``error``: the provider is down, nothing recorded;
- ``timeout``: the provider authorizes, then the answer is lost (``ProviderUnavailable``).

Webhooks are signed like Stripe's (``Test-Signature: t=<time>,v1=<HMAC-SHA256 of "t.payload">``) with
``PAYMENTS_WEBHOOK_SECRET``. Never for production: see ``modules/payments/checks.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError

from kernel.transactions import atomic_for
from modules.payments.models import TestCall, TestIntent
from modules.payments.providers.base import (
    ProviderDeclined,
    ProviderEvent,
    ProviderFailure,
    ProviderIntent,
    ProviderRefund,
    ProviderUnavailable,
    WebhookInvalid,
)

DECLINES = {
    "decline": "generic_decline",
    "pm_card_chargeDeclined": "generic_decline",
    "insufficient_funds": "insufficient_funds",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
}
AUTHENTICATE = {"3ds", "pm_card_threeDSecure2Required", "pm_card_authenticationRequired"}
SIGNATURE_HEADER = "Test-Signature"
TOLERANCE_SECONDS = 300


def authenticate_url(intent_id: str) -> str:
    return f"/api/v1/payments/test-provider/intents/{intent_id}/authenticate/"


def _intent(row: TestIntent) -> ProviderIntent:
    failure = ProviderFailure(code="card_declined", decline_code=row.decline_code) if row.decline_code else None
    next_action = (
        {"type": "redirect_to_url", "redirect_to_url": {"url": authenticate_url(row.intent_id), "return_url": ""}}
        if row.status == "requires_action"
        else None
    )
    return ProviderIntent(
        id=row.intent_id,
        status=row.status,  # type: ignore[arg-type]
        amount=row.amount,
        currency=row.currency,
        amount_capturable=row.amount if row.status == "requires_capture" else Decimal(0),
        amount_received=row.amount_received,
        client_secret=f"{row.intent_id}_secret_test",
        next_action=next_action,
        last_failure=failure,
        metadata=dict(row.metadata),
    )


def _once(key: str, intent_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """Record the answer of ``key`` unless one is recorded; return the recorded one (a retry answers the same)."""
    try:
        with atomic_for(TestCall):
            TestCall.objects.create(key=key, intent_id=intent_id, result=result)
            return result
    except IntegrityError:
        return TestCall.objects.get(key=key).result


def _get(intent_id: str) -> TestIntent:
    row = TestIntent.objects.filter(intent_id=intent_id).first()
    if row is None:
        raise ProviderUnavailable(f"test provider: no intent {intent_id}")
    return row


class TestProvider:
    """Implements ``modules.payments.providers.base.PaymentProvider`` over ``TestIntent``."""

    __test__ = False

    name = "test"

    def intent_create(
        self, *, key: str, amount: Decimal, currency: str, metadata: Mapping[str, str], payment_method: str = ""
    ) -> ProviderIntent:
        if payment_method == "error":
            raise ProviderUnavailable("test provider: simulated outage")
        previous = TestCall.objects.filter(key=key).first()
        if previous is None:
            row = TestIntent.objects.create(
                intent_id=f"pi_test_{uuid.uuid4().hex[:24]}",
                status="requires_payment_method",
                amount=amount,
                currency=currency.upper(),
                metadata=dict(metadata),
            )
            if payment_method:
                self._confirm(row, payment_method)
            recorded = _once(key, row.intent_id, {"intent": row.intent_id, "decline_code": row.decline_code})
        else:
            recorded = previous.result
        row = _get(recorded["intent"])
        if recorded.get("decline_code"):
            raise ProviderDeclined(ProviderFailure(code="card_declined", decline_code=recorded["decline_code"], message="Your card was declined."))
        if payment_method == "timeout" and previous is None:
            raise ProviderUnavailable("test provider: the answer was lost after the intent was authorized")
        return _intent(row)

    def _confirm(self, row: TestIntent, payment_method: str) -> None:
        row.payment_method = payment_method
        if payment_method in DECLINES:
            row.status, row.decline_code = "requires_payment_method", DECLINES[payment_method]
        elif payment_method in AUTHENTICATE:
            row.status, row.decline_code = "requires_action", ""
        else:
            row.status, row.decline_code = "requires_capture", ""
        row.save(update_fields=["payment_method", "status", "decline_code"])

    def intent_get(self, *, intent_id: str) -> ProviderIntent:
        return _intent(_get(intent_id))

    def intent_capture(self, *, key: str, intent_id: str, amount: Decimal | None = None) -> ProviderIntent:
        row = _get(intent_id)
        if TestCall.objects.filter(key=key).exists() or row.status == "succeeded":
            return _intent(row)
        if row.status != "requires_capture":
            raise ProviderUnavailable(f"test provider: cannot capture an intent that is {row.status}")
        updated = TestIntent.objects.filter(pk=row.pk, status="requires_capture").update(
            status="succeeded", amount_received=amount if amount is not None else row.amount
        )
        _once(key, intent_id, {"captured": bool(updated)})
        return _intent(_get(intent_id))

    def intent_cancel(self, *, key: str, intent_id: str) -> ProviderIntent:
        row = _get(intent_id)
        if row.status == "succeeded":
            raise ProviderUnavailable("test provider: cannot cancel a captured intent")
        TestIntent.objects.filter(pk=row.pk).exclude(status="succeeded").update(status="canceled")
        _once(key, intent_id, {"canceled": True})
        return _intent(_get(intent_id))

    def refund_create(self, *, key: str, intent_id: str, amount: Decimal) -> ProviderRefund:
        previous = TestCall.objects.filter(key=key).first()
        if previous is None:
            with atomic_for(TestIntent):
                row = TestIntent.objects.select_for_update().get(intent_id=intent_id)
                if row.amount_refunded + amount > row.amount_received:
                    raise ProviderUnavailable("test provider: refund exceeds what was captured")
                row.amount_refunded += amount
                row.save(update_fields=["amount_refunded"])
            result = _once(key, intent_id, {"refund": f"re_test_{uuid.uuid4().hex[:24]}", "amount": str(amount)})
        else:
            result = previous.result
        row = _get(intent_id)
        return ProviderRefund(id=result["refund"], intent_id=intent_id, amount=Decimal(result["amount"]), currency=row.currency, status="succeeded")

    def webhook_parse(self, *, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        webhook_verify(payload=payload, header=_header(headers, SIGNATURE_HEADER), secret=settings.PAYMENTS_WEBHOOK_SECRET)
        try:
            body = json.loads(payload)
            obj = body["data"]["object"]
            event_id, kind, created = str(body["id"]), str(body["type"]), int(body["created"])
            intent = refund = None
            if obj.get("object") == "refund":
                refund = ProviderRefund(
                    id=str(obj["id"]), intent_id=str(obj["payment_intent"]), amount=Decimal(str(obj["amount"])),
                    currency=str(obj["currency"]).upper(), status=obj.get("status", "succeeded"),
                )
            else:
                failure = obj.get("last_payment_error")
                intent = ProviderIntent(
                    id=str(obj["id"]),
                    status=str(obj["status"]),  # type: ignore[arg-type]
                    amount=Decimal(str(obj["amount"])),
                    currency=str(obj["currency"]).upper(),
                    amount_capturable=Decimal(str(obj.get("amount_capturable", 0))),
                    amount_received=Decimal(str(obj.get("amount_received", 0))),
                    next_action=obj.get("next_action"),
                    last_failure=ProviderFailure(code=str(failure.get("code", "")), decline_code=str(failure.get("decline_code", ""))) if failure else None,
                    metadata=dict(obj.get("metadata") or {}),
                )
        except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as error:
            raise WebhookInvalid(f"malformed event: {error}") from error
        return ProviderEvent(id=event_id, type=kind, created=created, intent=intent, refund=refund)

    # --- test-only: what the customer and the bank do ---------------------------------------------

    def intent_authenticate(self, *, intent_id: str, succeed: bool = True) -> ProviderIntent:
        """Stand for the bank's authentication page: approve (authorized) or fail (declined, authentication_failed)."""
        if succeed:
            TestIntent.objects.filter(intent_id=intent_id, status="requires_action").update(status="requires_capture")
        else:
            TestIntent.objects.filter(intent_id=intent_id, status="requires_action").update(
                status="requires_payment_method", decline_code="authentication_failed"
            )
        return _intent(_get(intent_id))


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def webhook_sign(*, payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Return the signature header value a delivery of ``payload`` carries (tests, and the demo's sender)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def webhook_verify(*, payload: bytes, header: str, secret: str, now: float | None = None) -> None:
    """Raise ``WebhookInvalid`` unless ``header`` signs ``payload`` with ``secret`` within the tolerance."""
    if not secret:
        raise WebhookInvalid("no webhook secret is configured (PAYMENTS_WEBHOOK_SECRET)")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        stamp = int(parts["t"][0])
    except (KeyError, ValueError, IndexError) as error:
        raise WebhookInvalid("no timestamp in the signature header") from error
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise WebhookInvalid("the signature does not match")
    if abs((time.time() if now is None else now) - stamp) > TOLERANCE_SECONDS:
        raise WebhookInvalid("the timestamp is outside the tolerance")
