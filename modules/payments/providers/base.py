"""The provider port: what the payments module needs from a payment provider (Stripe, the test provider).

A provider holds money for a payment session (an *intent*), captures or cancels
it, refunds part or all of it, and tells us about changes through signed
webhooks. Every write carries an idempotency key, so a retried call never
charges, captures or refunds twice. Amounts are Decimals in the currency's
major unit here; a provider converts to its own representation (Stripe: minor
units). Errors are the three classes below, never a provider library's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

# The provider's view of an intent, named as Stripe names PaymentIntent statuses.
IntentStatus = Literal[
    "requires_payment_method",  # created, nothing attached yet (or the last attempt failed)
    "requires_confirmation",
    "requires_action",  # the customer must authenticate (3-D Secure): see ``next_action``
    "processing",
    "requires_capture",  # authorized: the money is held for us
    "canceled",
    "succeeded",  # captured
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderFailure:
    """Why the provider refused the last attempt (card declined, insufficient funds...)."""

    code: str  # e.g. "card_declined"
    decline_code: str = ""  # e.g. "insufficient_funds"
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderIntent:
    id: str
    status: IntentStatus
    amount: Decimal  # what the intent is for
    currency: str  # ISO 4217, upper case
    amount_capturable: Decimal = Decimal(0)  # held and not yet captured
    amount_received: Decimal = Decimal(0)  # captured
    client_secret: str = ""  # what the storefront's client-side library needs
    next_action: Mapping[str, object] | None = None  # the provider's instructions when status is requires_action
    last_failure: ProviderFailure | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderRefund:
    id: str
    intent_id: str
    amount: Decimal
    currency: str
    status: Literal["pending", "succeeded", "failed", "canceled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderEvent:
    """A verified webhook event: its id (for applying it once), type and the intent or refund it is about."""

    id: str
    type: str  # e.g. "payment_intent.amount_capturable_updated", "payment_intent.succeeded", "charge.refunded"
    created: int  # seconds since the epoch, as the provider stamped it (events may arrive out of order)
    intent: ProviderIntent | None = None
    refund: ProviderRefund | None = None


class ProviderDeclined(Exception):
    """The provider refused the payment; nothing is held. Answered as 402 with the decline code."""

    def __init__(self, failure: ProviderFailure) -> None:
        super().__init__(failure.message or failure.code)
        self.failure = failure


class ProviderUnavailable(Exception):
    """The provider did not answer usably (down, timed out, rate limited): the outcome may be unknown.

    Callers retry with the same idempotency key, or ask ``intent_get`` later (reconciliation).
    """


class WebhookInvalid(Exception):
    """A webhook failed verification (signature, timestamp tolerance) or is malformed: apply nothing, answer 400."""


class PaymentProvider(Protocol):
    name: str

    def intent_create(
        self, *, key: str, amount: Decimal, currency: str, metadata: Mapping[str, str], payment_method: str = ""
    ) -> ProviderIntent:
        """Create an intent for ``amount`` with manual capture; with ``payment_method``, confirm it at once."""
        ...

    def intent_get(self, *, intent_id: str) -> ProviderIntent:
        """Return the intent as the provider sees it now."""
        ...

    def intent_capture(self, *, key: str, intent_id: str, amount: Decimal | None = None) -> ProviderIntent:
        """Capture what is held (or ``amount`` of it); the rest is released."""
        ...

    def intent_cancel(self, *, key: str, intent_id: str) -> ProviderIntent:
        """Release what is held; nothing is charged."""
        ...

    def refund_create(self, *, key: str, intent_id: str, amount: Decimal) -> ProviderRefund:
        """Refund ``amount`` of what was captured."""
        ...

    def webhook_parse(self, *, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Verify and decode one webhook delivery; raises WebhookInvalid."""
        ...
