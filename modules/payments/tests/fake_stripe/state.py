"""What the fake Stripe account holds, and the rules of the endpoints the adapter uses.

PaymentIntents (create, retrieve, confirm, capture, cancel) and Refunds (create),
with Stripe's documented object shapes, statuses and error objects, and the
test payment methods Stripe documents (``pm_card_visa`` authorizes,
``pm_card_chargeDeclined`` declines, ``pm_card_authenticationRequired`` asks
for 3-D Secure...). Every change appends the event Stripe would send.

Not thread-safe by itself: the server calls it under its lock.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

API_VERSION = "2026-10-28.endive"

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})

CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing")
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


class ApiError(Exception):
    """A Stripe error object with its HTTP status.

    ``executed`` tells whether the endpoint had started executing: only then
    does Stripe store the answer under the request's idempotency key (a request
    refused in validation can be retried with the same key and fixed parameters).
    """

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        decline_code: str | None = None,
        param: str | None = None,
        executed: bool = True,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.executed = executed
        self.error: dict[str, Any] = {"type": type_, "message": message}
        if code:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if decline_code:
            self.error["decline_code"] = decline_code
        if param:
            self.error["param"] = param
        self.error.update(extra or {})

    def body(self) -> dict[str, Any]:
        return {"error": self.error}


def invalid(message: str, *, code: str | None = None, param: str | None = None, executed: bool = True) -> ApiError:
    return ApiError(400, "invalid_request_error", message, code=code, param=param, executed=executed)


@dataclass(frozen=True)
class TestCard:
    """One of Stripe's documented test PaymentMethods and what confirming with it does."""

    brand: str
    last4: str
    decline: tuple[str, str, str] | None = None  # (code, decline_code, message)
    authentication: bool = False


DECLINED = "Your card was declined."
TEST_CARDS: dict[str, TestCard] = {
    "pm_card_visa": TestCard("visa", "4242"),
    "pm_card_mastercard": TestCard("mastercard", "4444"),
    "pm_card_amex": TestCard("amex", "8431"),
    "pm_card_chargeDeclined": TestCard("visa", "0002", ("card_declined", "generic_decline", DECLINED)),
    "pm_card_visa_chargeDeclined": TestCard("visa", "0002", ("card_declined", "generic_decline", DECLINED)),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard(
        "visa", "9995", ("card_declined", "insufficient_funds", "Your card has insufficient funds.")
    ),
    "pm_card_visa_chargeDeclinedInsufficientFunds": TestCard(
        "visa", "9995", ("card_declined", "insufficient_funds", "Your card has insufficient funds.")
    ),
    "pm_card_visa_chargeDeclinedLostCard": TestCard("visa", "9987", ("card_declined", "lost_card", DECLINED)),
    "pm_card_visa_chargeDeclinedStolenCard": TestCard("visa", "9979", ("card_declined", "stolen_card", DECLINED)),
    "pm_card_chargeDeclinedExpiredCard": TestCard("visa", "0069", ("expired_card", "expired_card", "Your card has expired.")),
    "pm_card_chargeDeclinedIncorrectCvc": TestCard(
        "visa", "0127", ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect.")
    ),
    "pm_card_chargeDeclinedProcessingError": TestCard(
        "visa",
        "0119",
        ("processing_error", "processing_error", "An error occurred while processing your card. Try again in a little bit."),
    ),
    "pm_card_authenticationRequired": TestCard("visa", "3184", authentication=True),
    "pm_card_threeDSecure2Required": TestCard("visa", "3220", authentication=True),
}


@dataclass
class Charge:
    id: str
    intent_id: str
    amount: int
    currency: str
    amount_captured: int = 0
    amount_refunded: int = 0
    refunds: list[dict[str, Any]] = field(default_factory=list)  # newest first, as Stripe lists them


@dataclass
class Event:
    id: str
    type: str
    body: dict[str, Any]


class StripeState:
    """The fake account: intents, charges, refunds and the events they caused."""

    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.events: list[Event] = []
        self.refund_status = "succeeded"  # set to "pending" to hold new refunds until settle_refund()
        self._return_urls: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.base_url = ""  # where the 3-D Secure page is served (the server sets it)

    # ------------------------------------------------------------------ ids, events

    def _id(self, prefix: str) -> str:
        return f"{prefix}_Fake{next(self._ids):010d}"

    def _emit(self, type_: str, obj: Mapping[str, Any], *, request: Mapping[str, Any] | None = None) -> None:
        event_id = self._id("evt")
        body = {
            "id": event_id,
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(dict(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": dict(request or {"id": None, "idempotency_key": None}),
            "type": type_,
        }
        self.events.append(Event(event_id, type_, body))

    # ------------------------------------------------------------------ params

    @staticmethod
    def _only(params: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for name in params:
            if name not in allowed:
                raise invalid(f"Received unknown parameter: {name}", code="parameter_unknown", param=name, executed=False)

    @staticmethod
    def _integer(params: Mapping[str, Any], name: str) -> int | None:
        raw = params.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.isdigit():
            raise invalid(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name, executed=False)
        return int(raw)

    @staticmethod
    def _boolean(params: Mapping[str, Any], name: str) -> bool:
        raw = params.get(name, "false")
        if raw not in ("true", "false"):
            raise invalid(f"Invalid boolean: {raw}", code="parameter_invalid_boolean", param=name, executed=False)
        return raw == "true"

    @staticmethod
    def _metadata(params: Mapping[str, Any]) -> dict[str, str]:
        raw = params.get("metadata", {})
        if raw == "":
            return {}
        if isinstance(raw, list):  # keys 0..n-1 decode as a list
            raw = {str(i): v for i, v in enumerate(raw)}
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise invalid("Invalid hash", code="parameter_invalid_hash", param="metadata", executed=False)
        if len(raw) > 50 or any(len(k) > 40 or len(v) > 500 for k, v in raw.items()):
            raise invalid("Metadata is limited to 50 keys of 40 characters and values of 500.", param="metadata", executed=False)
        return dict(raw)

    @staticmethod
    def _check_amount(amount: int, currency: str, param: str) -> None:
        if amount < 1:
            raise invalid("Amount must be at least 1.", code="amount_too_small", param=param, executed=False)
        if currency == "isk" and amount % 100:
            raise invalid(
                "Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly "
                "divisible by 100.",
                code="invalid_charge_amount_no_decimal_compatible",
                param=param,
                executed=False,
            )
        if currency in THREE_DECIMAL and amount % 10:
            raise invalid(
                f"Invalid amount. {currency.upper()} amounts must have 0 as their last digit.",
                code="invalid_charge_amount",
                param=param,
                executed=False,
            )

    def _intent(self, intent_id: str) -> dict[str, Any]:
        try:
            return self.intents[intent_id]
        except KeyError:
            raise ApiError(
                404,
                "invalid_request_error",
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="intent",
                executed=False,
            ) from None

    # ------------------------------------------------------------------ PaymentIntents

    def intent_create(self, params: Mapping[str, Any], *, request: Mapping[str, Any]) -> dict[str, Any]:
        self._only(
            params,
            (
                "amount",
                "currency",
                "capture_method",
                "confirm",
                "payment_method",
                "payment_method_types",
                "metadata",
                "return_url",
                "description",
                "receipt_email",
                "statement_descriptor_suffix",
                "expand",
            ),
        )
        amount = self._integer(params, "amount")
        if amount is None:
            raise invalid("Missing required param: amount.", code="parameter_missing", param="amount", executed=False)
        currency = str(params.get("currency", "")).lower()
        if len(currency) != 3 or not currency.isalpha():
            raise invalid("Missing required param: currency.", code="parameter_missing", param="currency", executed=False)
        self._check_amount(amount, currency, "amount")
        capture_method = params.get("capture_method", "automatic_async")
        if capture_method not in ("automatic", "automatic_async", "manual"):
            raise invalid(f"Invalid capture_method: {capture_method}", param="capture_method", executed=False)
        types = params.get("payment_method_types", ["card"])
        if types != ["card"]:
            raise invalid("This fake account only accepts payment_method_types[]=card.", param="payment_method_types", executed=False)
        confirm = self._boolean(params, "confirm")
        metadata = self._metadata(params)
        payment_method = params.get("payment_method") or None
        if payment_method is not None and payment_method not in TEST_CARDS:
            raise invalid(f"No such PaymentMethod: '{payment_method}'", code="resource_missing", param="payment_method", executed=False)
        intent_id = self._id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": capture_method,
            "client_secret": f"{intent_id}_secret_{next(self._ids):08d}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": currency,
            "description": params.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": metadata,
            "next_action": None,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "status": "requires_confirmation" if payment_method else "requires_payment_method",
        }
        self.intents[intent_id] = intent
        self._emit("payment_intent.created", intent, request=request)
        if confirm:
            self._confirm(intent, payment_method=payment_method, return_url=params.get("return_url"), request=request)
        return copy.deepcopy(intent)

    def intent_retrieve(self, intent_id: str, params: Mapping[str, Any], *, publishable: bool = False) -> dict[str, Any]:
        self._only(params, ("client_secret", "expand"))
        intent = self._intent(intent_id)
        if publishable and params.get("client_secret") != intent["client_secret"]:
            raise invalid("The client_secret provided does not match this PaymentIntent.", param="client_secret", executed=False)
        return copy.deepcopy(intent)

    def intent_confirm(
        self, intent_id: str, params: Mapping[str, Any], *, request: Mapping[str, Any], publishable: bool = False
    ) -> dict[str, Any]:
        self._only(params, ("payment_method", "return_url", "client_secret", "expand"))
        intent = self._intent(intent_id)
        if publishable and params.get("client_secret") != intent["client_secret"]:
            raise invalid("The client_secret provided does not match this PaymentIntent.", param="client_secret", executed=False)
        payment_method = params.get("payment_method") or intent["payment_method"]
        if payment_method is not None and payment_method not in TEST_CARDS:
            raise invalid(f"No such PaymentMethod: '{payment_method}'", code="resource_missing", param="payment_method", executed=False)
        self._confirm(intent, payment_method=payment_method, return_url=params.get("return_url"), request=request)
        return copy.deepcopy(intent)

    def _confirm(
        self, intent: dict[str, Any], *, payment_method: str | None, return_url: str | None, request: Mapping[str, Any]
    ) -> None:
        if intent["status"] not in CONFIRMABLE:
            raise invalid(
                f"You cannot confirm this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        if payment_method is None:
            raise invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
            )
        card = TEST_CARDS[payment_method]
        intent.update(payment_method=payment_method, last_payment_error=None, next_action=None)
        if return_url:
            self._return_urls[intent["id"]] = return_url
        if card.decline is not None:
            code, decline_code, message = card.decline
            intent["latest_charge"] = self._id("ch")
            error = {
                "type": "card_error",
                "code": code,
                "decline_code": decline_code,
                "message": message,
                "charge": intent["latest_charge"],
                "payment_method": {"id": payment_method, "object": "payment_method", "type": "card"},
            }
            intent.update(status="requires_payment_method", last_payment_error=error)
            self._emit("payment_intent.payment_failed", intent, request=request)
            raise ApiError(
                402,
                "card_error",
                message,
                code=code,
                decline_code=decline_code,
                extra={"charge": intent["latest_charge"], "payment_intent": copy.deepcopy(intent)},
            )
        if card.authentication:
            page = f"{self.base_url}/3ds/{intent['id']}"
            if return_url:
                next_action = {"type": "redirect_to_url", "redirect_to_url": {"url": page, "return_url": return_url}}
            else:
                next_action = {
                    "type": "use_stripe_sdk",
                    "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": page, "source": self._id("src")},
                }
            intent.update(status="requires_action", next_action=next_action)
            self._emit("payment_intent.requires_action", intent, request=request)
            return
        self._authorize(intent, request=request)

    def _authorize(self, intent: dict[str, Any], *, request: Mapping[str, Any]) -> None:
        charge = Charge(self._id("ch"), intent["id"], intent["amount"], intent["currency"])
        self.charges[charge.id] = charge
        intent.update(latest_charge=charge.id, next_action=None, last_payment_error=None)
        if intent["capture_method"] == "manual":
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
            self._emit("payment_intent.amount_capturable_updated", intent, request=request)
        else:
            charge.amount_captured = intent["amount"]
            intent.update(status="succeeded", amount_received=intent["amount"])
            self._emit("payment_intent.succeeded", intent, request=request)

    def authenticate(self, intent_id: str, *, succeed: bool = True) -> dict[str, Any]:
        """Finish the customer's 3-D Secure step, as the bank's page would; return the intent."""
        intent = self._intent(intent_id)
        if intent["status"] != "requires_action":
            raise ValueError(f"{intent_id} does not wait for authentication (status {intent['status']})")
        request = {"id": None, "idempotency_key": None}
        if succeed:
            self._authorize(intent, request=request)
        else:
            intent.update(
                status="requires_payment_method",
                next_action=None,
                last_payment_error={
                    "type": "invalid_request_error",
                    "code": "payment_intent_authentication_failure",
                    "message": "The provided PaymentMethod has failed authentication. You can provide payment_method_data "
                    "or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
                },
            )
            self._emit("payment_intent.payment_failed", intent, request=request)
        return copy.deepcopy(intent)

    def return_url(self, intent_id: str) -> str | None:
        return self._return_urls.get(intent_id)

    def intent_capture(self, intent_id: str, params: Mapping[str, Any], *, request: Mapping[str, Any]) -> dict[str, Any]:
        self._only(params, ("amount_to_capture", "metadata", "expand"))
        intent = self._intent(intent_id)
        amount = self._integer(params, "amount_to_capture")
        if intent["status"] != "requires_capture":
            raise invalid(
                "This PaymentIntent could not be captured because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses may be captured: "
                "requires_capture.",
                code="payment_intent_unexpected_state",
            )
        if amount is None:
            amount = intent["amount_capturable"]
        self._check_amount(amount, intent["currency"], "amount_to_capture")
        if amount > intent["amount_capturable"]:
            raise invalid(
                f"The amount to capture ({amount}) is greater than the amount capturable ({intent['amount_capturable']}).",
                code="amount_too_large",
                param="amount_to_capture",
                executed=False,
            )
        if "metadata" in params:
            intent["metadata"].update(self._metadata(params))
        self.charges[intent["latest_charge"]].amount_captured = amount
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self._emit("payment_intent.succeeded", intent, request=request)
        return copy.deepcopy(intent)

    def intent_cancel(self, intent_id: str, params: Mapping[str, Any], *, request: Mapping[str, Any]) -> dict[str, Any]:
        self._only(params, ("cancellation_reason", "expand"))
        intent = self._intent(intent_id)
        reason = params.get("cancellation_reason")
        if reason is not None and reason not in CANCELLATION_REASONS:
            raise invalid(f"Invalid cancellation_reason: {reason}", param="cancellation_reason", executed=False)
        if intent["status"] not in CANCELABLE:
            raise invalid(
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}. Only a "
                "PaymentIntent with one of the following statuses may be canceled: " + ", ".join(CANCELABLE) + ".",
                code="payment_intent_unexpected_state",
            )
        intent.update(
            status="canceled", amount_capturable=0, next_action=None, cancellation_reason=reason, canceled_at=int(time.time())
        )
        self._emit("payment_intent.canceled", intent, request=request)
        return copy.deepcopy(intent)

    # ------------------------------------------------------------------ Refunds

    def refund_create(self, params: Mapping[str, Any], *, request: Mapping[str, Any]) -> dict[str, Any]:
        self._only(params, ("payment_intent", "charge", "amount", "reason", "metadata", "expand"))
        metadata = self._metadata(params)
        reason = params.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise invalid(f"Invalid reason: {reason}", param="reason", executed=False)
        amount = self._integer(params, "amount")
        if "payment_intent" in params:
            intent = self._intent(params["payment_intent"])
        elif "charge" in params:
            charge = self.charges.get(params["charge"])
            if charge is None:
                raise invalid(f"No such charge: '{params['charge']}'", code="resource_missing", param="charge", executed=False)
            intent = self.intents[charge.intent_id]
        else:
            raise invalid(
                "One of the following params should be provided for this request: payment_intent or charge.", executed=False
            )
        if intent["status"] != "succeeded":
            raise invalid(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable" if intent["status"] != "requires_capture" else "payment_intent_unexpected_state",
            )
        charge = self.charges[intent["latest_charge"]]
        remaining = charge.amount_captured - charge.amount_refunded
        if remaining <= 0:
            raise invalid(f"Charge {charge.id} has already been refunded.", code="charge_already_refunded")
        if amount is None:
            amount = remaining
        self._check_amount(amount, charge.currency, "amount")
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": charge.id,
            "created": int(time.time()),
            "currency": charge.currency,
            "failure_reason": None,
            "metadata": metadata,
            "payment_intent": intent["id"],
            "reason": reason,
            "status": self.refund_status,
        }
        self.refunds[refund["id"]] = refund
        charge.amount_refunded += amount
        charge.refunds.insert(0, refund)
        self._emit("refund.created", refund, request=request)
        self._emit("charge.refunded", self.charge_object(charge.id), request=request)
        return copy.deepcopy(refund)

    def settle_refund(self, refund_id: str, *, status: str = "succeeded") -> dict[str, Any]:
        """Finish a pending refund (``refund_status = "pending"``) as succeeded or failed, as the bank would."""
        refund = self.refunds[refund_id]
        if refund["status"] != "pending" or status not in ("succeeded", "failed"):
            raise ValueError(f"cannot move refund {refund_id} from {refund['status']} to {status}")
        refund["status"] = status
        if status == "failed":
            refund["failure_reason"] = "expired_or_canceled_card"
            self.charges[refund["charge"]].amount_refunded -= refund["amount"]
            self._emit("refund.failed", refund)
        self._emit("refund.updated", refund)
        return copy.deepcopy(refund)

    def charge_object(self, charge_id: str, *, expand_refunds: bool = False) -> dict[str, Any]:
        charge = self.charges[charge_id]
        obj = {
            "id": charge.id,
            "object": "charge",
            "amount": charge.amount,
            "amount_captured": charge.amount_captured,
            "amount_refunded": charge.amount_refunded,
            "captured": charge.amount_captured > 0,
            "currency": charge.currency,
            "payment_intent": charge.intent_id,
            "refunded": charge.amount_captured > 0 and charge.amount_refunded >= charge.amount_captured,
            "status": "succeeded",
        }
        if expand_refunds:  # not part of a Charge since API version 2022-11-15 unless expanded
            obj["refunds"] = {
                "object": "list",
                "data": copy.deepcopy(charge.refunds),
                "has_more": False,
                "url": f"/v1/charges/{charge.id}/refunds",
            }
        return obj
