"""Stripe behind the provider port, through the official ``stripe`` library.

Each payment session is a PaymentIntent with ``capture_method=manual`` and
card payments: authorizing holds the money, capturing takes it (all or part),
cancelling releases it, refunds give back all or part of what was captured.
Every write sends the caller's key as Stripe's ``Idempotency-Key``, so a call
retried after a timeout (by the library itself or by our caller) returns the
first answer instead of charging, capturing or refunding again.

Amounts cross the port as Decimals in major units and are sent to Stripe in
its minor units: cents for EUR, whole yen for JPY (zero-decimal currencies),
thousandths ending in 0 for KWD (three-decimal), whole krónur written in
hundredths for ISK. An amount the currency cannot represent is a ValueError
(the caller passed a total no price list can produce).

The library's errors never leave this file: a card refusal is
``ProviderDeclined`` with Stripe's ``code`` and ``decline_code``; a request
Stripe refuses (wrong state, refund larger than what is left...) is
``ProviderDeclined`` with Stripe's error code; rate limits, timeouts,
connection failures, 5xx and 409 answers and rejected credentials are
``ProviderUnavailable`` (the outcome may be unknown: retry with the same key,
or ask ``intent_get``); a webhook that fails the library's signature check,
is outside the timestamp tolerance, is not a Stripe event or is of a type we
do not handle is ``WebhookInvalid``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar, cast

import stripe

from modules.payments.providers.base import (
    ProviderDeclined,
    ProviderEvent,
    ProviderFailure,
    ProviderIntent,
    ProviderRefund,
    ProviderUnavailable,
    WebhookInvalid,
)
from modules.payments.providers.stripe_objects import (
    amount_to_minor,
    event_from_stripe,
    intent_from_stripe,
    refund_from_stripe,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Find header ``name`` in a plain mapping, Django's ``request.headers`` or ``request.META``."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered, meta = name.lower(), "HTTP_" + name.upper().replace("-", "_")
    for key, candidate in headers.items():
        if key.lower() == lowered or key == meta:
            return candidate
    return None


def _failure(error: stripe.StripeError) -> ProviderFailure:
    body = error.json_body.get("error") if isinstance(error.json_body, dict) else None
    body = body if isinstance(body, dict) else {}
    return ProviderFailure(
        code=str(body.get("code") or error.code or body.get("type") or "declined"),
        decline_code=str(body.get("decline_code") or ""),
        message=str(body.get("message") or error.user_message or ""),
    )


class StripeProvider:
    """The payment provider port served by Stripe PaymentIntents (manual capture) and Refunds."""

    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        api_base: str = "",
        timeout: float = 10.0,
        max_network_retries: int = 2,
        webhook_tolerance: int = 300,
        return_url: str = "",
    ) -> None:
        """Configure one StripeClient: never the library's global ``stripe.api_key``.

        ``timeout`` bounds each HTTP attempt (seconds); the library retries
        connection errors, timeouts, 409 and 5xx answers up to
        ``max_network_retries`` times with the same idempotency key.
        ``api_base`` points the client elsewhere than api.stripe.com (the fake
        server in tests). ``webhook_tolerance`` is how old (seconds) a signed
        webhook may be. ``return_url`` is where the customer's bank sends them
        back after 3-D Secure when we confirm server-side (without it Stripe
        answers ``use_stripe_sdk`` and the storefront's Stripe.js handles it).
        """
        if not api_key:
            raise ValueError("StripeProvider needs an API key (STRIPE_API_KEY)")
        if not webhook_secret:
            raise ValueError("StripeProvider needs a webhook signing secret (STRIPE_WEBHOOK_SECRET)")
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self._webhook_secret = webhook_secret
        self._webhook_tolerance = webhook_tolerance
        self._return_url = return_url

    def __repr__(self) -> str:
        return "StripeProvider()"  # never the keys

    # ------------------------------------------------------------------ calls

    def _call(self, operation: str, call: Callable[[], T]) -> T:
        """Run one library call and translate its errors into the port's."""
        try:
            return call()
        except stripe.CardError as error:
            failure = _failure(error)
            logger.info("stripe %s declined: %s/%s", operation, failure.code, failure.decline_code)
            raise ProviderDeclined(failure) from error
        except stripe.IdempotencyError as error:
            logger.error("stripe %s: an idempotency key was reused with other parameters: %s", operation, error)
            raise ProviderDeclined(ProviderFailure(code="idempotency_error", message=error.user_message or "")) from error
        except stripe.InvalidRequestError as error:
            failure = _failure(error)
            logger.warning("stripe %s refused: %s: %s", operation, failure.code, failure.message)
            raise ProviderDeclined(failure) from error
        except (stripe.AuthenticationError, stripe.PermissionError) as error:
            logger.error("stripe %s: our credentials were refused: %s", operation, error)
            raise ProviderUnavailable(f"stripe {operation}: credentials refused") from error
        except (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError, stripe.StripeError) as error:
            logger.warning("stripe %s unavailable: %r", operation, error)
            raise ProviderUnavailable(f"stripe {operation}: {type(error).__name__}: {error.user_message}") from error

    @staticmethod
    def _plain(obj: stripe.StripeObject) -> dict[str, Any]:
        return obj.to_dict()

    # ------------------------------------------------------------------ the port

    def intent_create(
        self, *, key: str, amount: Decimal, currency: str, metadata: Mapping[str, str], payment_method: str = ""
    ) -> ProviderIntent:
        """Create a manual-capture card PaymentIntent; with ``payment_method``, confirm it in the same call."""
        params: dict[str, Any] = {
            "amount": amount_to_minor(amount, currency),
            "currency": currency.lower(),
            "capture_method": "manual",
            "payment_method_types": ["card"],
            "metadata": dict(metadata),
        }
        if payment_method:
            params.update(payment_method=payment_method, confirm=True)
            if self._return_url:
                params["return_url"] = self._return_url
        intent = self._call(
            "intent_create", lambda: self._client.v1.payment_intents.create(cast(Any, params), {"idempotency_key": key})
        )
        return intent_from_stripe(self._plain(intent))

    def intent_confirm(self, *, key: str, intent_id: str, payment_method: str) -> ProviderIntent:
        """Confirm an intent server-side with ``payment_method`` (not in the port: storefronts confirm with Stripe.js)."""
        params: dict[str, Any] = {"payment_method": payment_method}
        if self._return_url:
            params["return_url"] = self._return_url
        intent = self._call(
            "intent_confirm",
            lambda: self._client.v1.payment_intents.confirm(intent_id, cast(Any, params), {"idempotency_key": key}),
        )
        return intent_from_stripe(self._plain(intent))

    def intent_get(self, *, intent_id: str) -> ProviderIntent:
        """Retrieve the intent as Stripe sees it now."""
        intent = self._call("intent_get", lambda: self._client.v1.payment_intents.retrieve(intent_id))
        return intent_from_stripe(self._plain(intent))

    def intent_capture(self, *, key: str, intent_id: str, amount: Decimal | None = None) -> ProviderIntent:
        """Capture what is held, or ``amount`` of it (Stripe releases the rest)."""
        params: dict[str, Any] = {}
        if amount is not None:
            # The port gives no currency; the intent's never changes, so a retry sends the same parameters.
            currency = self.intent_get(intent_id=intent_id).currency
            params["amount_to_capture"] = amount_to_minor(amount, currency)
        intent = self._call(
            "intent_capture",
            lambda: self._client.v1.payment_intents.capture(intent_id, cast(Any, params), {"idempotency_key": key}),
        )
        return intent_from_stripe(self._plain(intent))

    def intent_cancel(self, *, key: str, intent_id: str) -> ProviderIntent:
        """Cancel the intent: what is held is released, nothing is charged."""
        intent = self._call(
            "intent_cancel", lambda: self._client.v1.payment_intents.cancel(intent_id, {}, {"idempotency_key": key})
        )
        return intent_from_stripe(self._plain(intent))

    def refund_create(self, *, key: str, intent_id: str, amount: Decimal) -> ProviderRefund:
        """Refund ``amount`` of what the intent captured (Stripe refuses more than is left)."""
        currency = self.intent_get(intent_id=intent_id).currency  # the port gives no currency
        params = {"payment_intent": intent_id, "amount": amount_to_minor(amount, currency)}
        refund = self._call(
            "refund_create", lambda: self._client.v1.refunds.create(cast(Any, params), {"idempotency_key": key})
        )
        return refund_from_stripe(self._plain(refund))

    def webhook_parse(self, *, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Verify the ``Stripe-Signature`` with the library (HMAC and timestamp tolerance), then decode the event."""
        signature = _header(headers, "Stripe-Signature")
        try:
            event = self._client.construct_event(payload, signature, self._webhook_secret, self._webhook_tolerance)
        except stripe.SignatureVerificationError as error:
            raise WebhookInvalid(f"signature: {error.user_message}") from error
        except (ValueError, TypeError, AttributeError, KeyError) as error:  # not UTF-8, not JSON, not an object
            raise WebhookInvalid(f"malformed payload: {type(error).__name__}") from error
        return event_from_stripe(self._plain(event))
