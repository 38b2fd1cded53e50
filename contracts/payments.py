"""Payments contract: payment sessions a storefront pays into, and what checkout asks of them.

A session is one amount in one currency for one reference (a cart), held by a
payment provider. Checkout attaches an authorized session to the order it
places, captures it once the stock is committed, and releases it (cancel what
is held, refund what was taken) when the order does not happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from contracts.errors import Conflict, ContractError, NotFound, ServiceUnavailable
from contracts.events import Event

SessionStatus = Literal[
    "requires_payment_method",  # created; the storefront has not paid into it yet (or the last try was declined)
    "requires_action",  # the customer must authenticate (3-D Secure): see ``next_action``
    "processing",  # the provider is deciding
    "authorized",  # the money is held for us
    "capturing",  # we asked the provider to take it; its answer is not recorded yet
    "captured",
    "canceling",  # we asked the provider to let go; its answer is not recorded yet
    "canceled",
    "refunded",  # everything captured was given back
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentSession:
    id: str  # "ps_..." — what the storefront names when completing
    reference: str  # what it pays for (checkout: the cart's token)
    status: SessionStatus
    amount: Decimal
    currency: str
    provider: str
    client_secret: str = ""  # what the provider's client-side library needs to pay into the session
    next_action: Mapping[str, Any] | None = None  # the provider's instructions while ``requires_action``
    decline_code: str = ""  # why the last try was declined, if it was
    order_number: str | None = None  # the order it paid for, once attached
    amount_captured: Decimal = Decimal(0)
    amount_refunded: Decimal = Decimal(0)


class PaymentSessionNotFound(NotFound):
    """No such payment session (or it pays for another cart)."""

    code = "payment_session_not_found"


class PaymentDeclined(ContractError):
    """The payment was declined; nothing was charged. ``decline_code`` says why, as the provider put it."""

    code = "payment_declined"
    decline_code: str

    def __init__(self, detail: str = "", *, decline_code: str = "", **extra: object) -> None:
        super().__init__(detail, decline_code=decline_code, **extra)
        self.decline_code = decline_code


class PaymentActionRequired(ContractError):
    """The customer must act (authenticate with their bank) first; ``next_action`` is the provider's instruction.

    Nothing is held by the order yet: once the customer acted, completing again
    (with the same Idempotency-Key) goes on.
    """

    code = "payment_action_required"
    next_action: dict[str, Any]

    def __init__(self, detail: str = "", *, next_action: Mapping[str, Any] | None = None, **extra: object) -> None:
        super().__init__(detail, next_action=dict(next_action or {}), **extra)
        self.next_action = dict(next_action or {})


class PaymentNotAuthorized(Conflict):
    """The session holds no money yet (nothing paid into it, or the provider is still deciding)."""

    code = "payment_incomplete"


class PaymentAmountMismatch(Conflict):
    """The session is for another amount or currency than the order's total: ask for a new session."""

    code = "payment_amount_mismatch"


class PaymentSessionUsed(Conflict):
    """The session already paid for another order, or was cancelled or refunded."""

    code = "payment_session_used"


class PaymentProviderUnavailable(ServiceUnavailable):
    """The payment provider did not answer usably; nothing was charged by this request. Retry later."""

    code = "payment_provider_unavailable"


class PaymentNotConfigured(ServiceUnavailable):
    """No real payment provider is configured, and the test provider is not allowed here: no order can be taken."""

    code = "payment_not_configured"


class PaymentsService(Protocol):
    def session_create(
        self, *, reference: str, amount: Decimal, currency: str, payment_method: str = "", key: str = ""
    ) -> PaymentSession:
        """Open a session for ``amount``; with ``payment_method``, pay into it at once (server-side confirmation).

        ``key`` makes it idempotent: the same key answers the same session.
        Raises ``PaymentDeclined``, ``PaymentProviderUnavailable``, ``PaymentNotConfigured``, ``InvalidInput``.
        """
        ...

    def session_get(self, *, session_id: str) -> PaymentSession:
        """Return the session as last recorded; raises ``PaymentSessionNotFound``."""
        ...

    def session_attach(
        self, *, session_id: str, reference: str, order_number: str, amount: Decimal, currency: str
    ) -> PaymentSession:
        """Check that the session holds exactly ``amount`` in ``currency`` for ``reference``, and name its order.

        Asks the provider when our record is not authorized yet. Idempotent for
        the same order. Raises ``PaymentSessionNotFound``, ``PaymentActionRequired``,
        ``PaymentDeclined``, ``PaymentNotAuthorized``, ``PaymentAmountMismatch``,
        ``PaymentSessionUsed``, ``PaymentProviderUnavailable``, ``PaymentNotConfigured``.
        """
        ...

    def payment_capture(self, *, order_number: str) -> PaymentSession:
        """Take the money held for ``order_number``; idempotent.

        Raises ``PaymentSessionNotFound`` (no session attached), ``PaymentSessionUsed``
        (cancelled meanwhile), ``PaymentProviderUnavailable`` (retry: same provider key).
        """
        ...

    def payment_release(self, *, order_number: str, cancel: bool = True) -> None:
        """Stop using the session attached to ``order_number``: cancel what it holds, refund what it took.

        ``cancel=False`` only detaches an authorization, so the cart's next try
        may use it (a failure that may pass). Idempotent; nothing attached is a no-op.
        Raises ``PaymentProviderUnavailable`` (retry later).
        """
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentAuthorized(Event):
    name = "payments.PaymentAuthorized"
    publisher = "payments"

    session_id: str
    reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentCaptured(Event):
    name = "payments.PaymentCaptured"
    publisher = "payments"

    session_id: str
    order_number: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFailed(Event):
    name = "payments.PaymentFailed"
    publisher = "payments"

    session_id: str
    reference: str
    decline_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentCanceled(Event):
    name = "payments.PaymentCanceled"
    publisher = "payments"

    session_id: str
    order_number: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRefunded(Event):
    name = "payments.PaymentRefunded"
    publisher = "payments"

    session_id: str
    order_number: str | None
    amount: Decimal
    currency: str
    refund_id: str
