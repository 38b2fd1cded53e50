"""Implements ``contracts.payments.PaymentsService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from decimal import Decimal

from contracts.payments import PaymentSession
from modules.payments.models import Payment
from modules.payments.services import sessions, settlement


def to_session(payment: Payment) -> PaymentSession:
    return PaymentSession(
        id=payment.session_id,
        reference=payment.reference,
        status=payment.status,  # type: ignore[arg-type]
        amount=payment.amount,
        currency=payment.currency,
        provider=payment.provider,
        client_secret=payment.client_secret,
        next_action=payment.next_action,
        decline_code=payment.decline_code,
        order_number=payment.order_number,
        amount_captured=payment.amount_captured,
        amount_refunded=payment.amount_refunded,
    )


class PaymentsFacade:
    """The payments module as other modules see it."""

    def session_create(
        self, *, reference: str, amount: Decimal, currency: str, payment_method: str = "", key: str = ""
    ) -> PaymentSession:
        return to_session(
            sessions.session_create(reference=reference, amount=amount, currency=currency, payment_method=payment_method, key=key)
        )

    def session_get(self, *, session_id: str) -> PaymentSession:
        return to_session(sessions.session_get(session_id=session_id))

    def session_attach(
        self, *, session_id: str, reference: str, order_number: str, amount: Decimal, currency: str
    ) -> PaymentSession:
        return to_session(
            sessions.session_attach(
                session_id=session_id, reference=reference, order_number=order_number, amount=amount, currency=currency
            )
        )

    def payment_capture(self, *, order_number: str) -> PaymentSession:
        return to_session(settlement.payment_capture(order_number=order_number))

    def payment_release(self, *, order_number: str, cancel: bool = True) -> None:
        settlement.payment_release(order_number=order_number, cancel=cancel)
