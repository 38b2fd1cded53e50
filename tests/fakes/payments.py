"""The payments contract in memory: sessions paid with the test provider's payment methods.

It follows the module's rules where the contract states them: the same key
answers the same session; ``decline``-like methods are ``PaymentDeclined`` with
their decline code, ``3ds``-like ones need ``authenticate``; ``error`` is the
provider down; a session attaches to one order only, for exactly its amount and
currency; capture and release exclude each other; refunds never exceed what was
captured. One provider ("test"); no events.
"""

from __future__ import annotations

import dataclasses
import secrets
from decimal import Decimal

from contracts.errors import FieldProblem, InvalidInput
from contracts.payments import (
    PaymentActionRequired,
    PaymentAmountMismatch,
    PaymentDeclined,
    PaymentNotAuthorized,
    PaymentProviderUnavailable,
    PaymentSession,
    PaymentSessionNotFound,
    PaymentSessionUsed,
)
from tests.fakes.recording import Recording

DECLINES = {
    "decline": "generic_decline",
    "pm_card_chargeDeclined": "generic_decline",
    "insufficient_funds": "insufficient_funds",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
}
AUTHENTICATE = {"3ds", "pm_card_threeDSecure2Required", "pm_card_authenticationRequired"}
OPEN = ("requires_payment_method", "requires_action", "processing")


class FakePayments(Recording):
    """Implements ``contracts.payments.PaymentsService``."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, PaymentSession] = {}
        self.keys: dict[str, str] = {}

    def _set(self, session: PaymentSession, **changes: object) -> PaymentSession:
        self.sessions[session.id] = dataclasses.replace(session, **changes)
        return self.sessions[session.id]

    def _attached(self, order_number: str) -> PaymentSession | None:
        return next((s for s in self.sessions.values() if s.order_number == order_number), None)

    # --- test set-up ----------------------------------------------------------------------------

    def authenticate(self, session_id: str, *, succeed: bool = True) -> PaymentSession:
        """Stand for the customer authenticating with their bank (3-D Secure)."""
        session = self.sessions[session_id]
        if session.status != "requires_action":
            return session
        if succeed:
            return self._set(session, status="authorized", next_action=None)
        return self._set(session, status="requires_payment_method", next_action=None, decline_code="authentication_failed")

    # --- the contract ---------------------------------------------------------------------------

    def session_create(
        self, *, reference: str, amount: Decimal, currency: str, payment_method: str = "", key: str = ""
    ) -> PaymentSession:
        self._enter("session_create", reference=reference, amount=amount, currency=currency, payment_method=payment_method, key=key)
        if not isinstance(reference, str) or not reference or len(reference) > 100:
            raise InvalidInput("reference", errors=(FieldProblem(field="reference", code="invalid", detail="1 to 100 characters."),))
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
            raise InvalidInput("amount", errors=(FieldProblem(field="amount", code="invalid", detail="A positive amount."),))
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise InvalidInput("currency", errors=(FieldProblem(field="currency", code="invalid", detail="ISO 4217."),))
        session = self.sessions.get(self.keys.get(key, "")) if key else None
        if session is None:
            session_id = "ps_" + secrets.token_hex(12)
            session = PaymentSession(
                id=session_id, reference=reference, status="requires_payment_method", amount=amount, currency=currency,
                provider="test", client_secret=f"{session_id}_secret_test",
            )
            self.sessions[session_id] = session
            if key:
                self.keys[key] = session_id
        if payment_method == "error":
            raise PaymentProviderUnavailable("fake provider down")
        if session.status in OPEN and payment_method:
            if payment_method in DECLINES:
                session = self._set(session, decline_code=DECLINES[payment_method])
            elif payment_method in AUTHENTICATE:
                session = self._set(
                    session, status="requires_action",
                    next_action={"type": "redirect_to_url", "redirect_to_url": {"url": f"/fake/authenticate/{session.id}", "return_url": ""}},
                )
            else:
                session = self._set(session, status="authorized", decline_code="")
        if payment_method in DECLINES and session.status == "requires_payment_method":
            raise PaymentDeclined(f"The payment was declined ({session.decline_code}).", decline_code=session.decline_code)
        return session

    def session_get(self, *, session_id: str) -> PaymentSession:
        self._enter("session_get", session_id=session_id)
        if session_id not in self.sessions:
            raise PaymentSessionNotFound()
        return self.sessions[session_id]

    def session_attach(
        self, *, session_id: str, reference: str, order_number: str, amount: Decimal, currency: str
    ) -> PaymentSession:
        self._enter(
            "session_attach", session_id=session_id, reference=reference, order_number=order_number, amount=amount, currency=currency
        )
        session = self.sessions.get(session_id)
        if session is None or session.reference != reference:
            raise PaymentSessionNotFound()
        if session.order_number == order_number and session.status in ("authorized", "captured"):
            return session
        if session.order_number not in (None, order_number):
            raise PaymentSessionUsed("This payment session already paid for another order.")
        if session.status == "requires_action":
            raise PaymentActionRequired("Authenticate first.", next_action=session.next_action or {})
        if session.status == "requires_payment_method" and session.decline_code:
            raise PaymentDeclined(f"The payment was declined ({session.decline_code}).", decline_code=session.decline_code)
        if session.status in OPEN:
            raise PaymentNotAuthorized("Nothing was paid into this payment session yet.", session_status=session.status)
        if session.status != "authorized":
            raise PaymentSessionUsed(f"This payment session is {session.status}.")
        if (session.amount, session.currency) != (amount, currency):
            raise PaymentAmountMismatch(
                "open a new payment session", session_amount=str(session.amount), session_currency=session.currency
            )
        previous = self._attached(order_number)
        if previous is not None:  # paid for this number before (a retry after the amount changed): let it go
            self.payment_release(order_number=order_number, cancel=True)
            self._set(self.sessions[previous.id], order_number=None)
        return self._set(self.sessions[session_id], order_number=order_number)

    def payment_capture(self, *, order_number: str) -> PaymentSession:
        self._enter("payment_capture", order_number=order_number)
        session = self._attached(order_number)
        if session is None:
            raise PaymentSessionNotFound()
        if session.status in ("captured", "refunded"):
            return session
        if session.status != "authorized":
            raise PaymentSessionUsed(f"The payment of {order_number} is {session.status}; it cannot be captured.")
        return self._set(session, status="captured", amount_captured=session.amount)

    def payment_release(self, *, order_number: str, cancel: bool = True) -> None:
        self._enter("payment_release", order_number=order_number, cancel=cancel)
        session = self._attached(order_number)
        if session is None:
            return
        if session.status == "captured":
            self._set(session, status="refunded", amount_refunded=session.amount_captured)
        elif session.status == "authorized" and not cancel:
            self._set(session, order_number=None)
        elif session.status in (*OPEN, "authorized"):
            self._set(session, status="canceled")
