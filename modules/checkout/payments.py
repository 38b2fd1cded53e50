"""The payment port: a small interface to a gateway, and the test gateway behind it by default.

A real gateway is a class with the same four methods, named by the
``CHECKOUT_PAYMENT_GATEWAY`` setting; checkout's code does not change.
Every call carries its own idempotency key, so a retried call never
charges, voids or refunds twice.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.utils.module_loading import import_string

from modules.checkout.models import TestGatewayTransaction


class GatewayDeclined(Exception):
    """The gateway refused the payment (insufficient funds, fraud rules...)."""


class GatewayError(Exception):
    """The gateway failed to answer properly; the outcome is unknown or failed."""


class PaymentGateway(Protocol):
    name: str

    def authorize(self, *, key: str, amount: Decimal, currency: str, token: str | None) -> str:
        """Hold ``amount``; return the intent id. Raises GatewayDeclined or GatewayError."""
        ...

    def capture(self, *, key: str, intent_id: str) -> None: ...

    def void(self, *, key: str, intent_id: str) -> None: ...

    def refund(self, *, key: str, intent_id: str, amount: Decimal) -> None: ...


def test_gateway_configured() -> bool:
    """Say whether payments would go to the test gateway (or clients may name the ``test`` method)."""
    gateway = import_string(settings.CHECKOUT_PAYMENT_GATEWAY)
    return (isinstance(gateway, type) and issubclass(gateway, TestGateway)) or "test" in settings.CHECKOUT_PAYMENT_METHODS


def payments_refused() -> bool:
    """Say whether orders must be refused: the test gateway is configured where it is not allowed (fail closed)."""
    return not settings.CHECKOUT_ALLOW_TEST_GATEWAY and test_gateway_configured()


def gateway_get() -> PaymentGateway:
    """Return the configured gateway."""
    return import_string(settings.CHECKOUT_PAYMENT_GATEWAY)()


class TestGateway:
    """Approves every token except ``"decline"`` (declined) and ``"error"`` (gateway failure)."""

    name = "test"

    def _record(self, *, key: str, operation: str, intent_id: str, outcome: str, amount: Decimal | None = None, currency: str = "") -> TestGatewayTransaction:
        existing = TestGatewayTransaction.objects.filter(key=key).first()
        if existing:
            return existing
        try:
            with transaction.atomic(using=router.db_for_write(TestGatewayTransaction)):
                return TestGatewayTransaction.objects.create(
                    key=key, operation=operation, intent_id=intent_id, outcome=outcome, amount=amount, currency=currency
                )
        except IntegrityError:
            return TestGatewayTransaction.objects.get(key=key)

    def authorize(self, *, key: str, amount: Decimal, currency: str, token: str | None) -> str:
        if token == "error":
            raise GatewayError("test gateway: simulated failure")
        outcome = "declined" if token == "decline" else "authorized"
        record = self._record(
            key=key, operation="authorize", intent_id=f"test_{uuid.uuid4().hex}", outcome=outcome, amount=amount, currency=currency
        )
        if record.outcome == "declined":
            raise GatewayDeclined("test gateway: card declined")
        return record.intent_id

    def capture(self, *, key: str, intent_id: str) -> None:
        self._record(key=key, operation="capture", intent_id=intent_id, outcome="captured")

    def void(self, *, key: str, intent_id: str) -> None:
        self._record(key=key, operation="void", intent_id=intent_id, outcome="voided")

    def refund(self, *, key: str, intent_id: str, amount: Decimal) -> None:
        self._record(key=key, operation="refund", intent_id=intent_id, outcome="refunded", amount=amount)
