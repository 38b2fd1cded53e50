"""Payment sessions, their refunds, the webhook inbox, and the test provider's own ledger.

Invariants:
- ``amount_captured <= amount`` and ``amount_refunded <= amount_captured``
  (database constraints, the last line of defence behind ``services``);
- a session pays for at most one order (``order_number`` unique) and never
  changes amount or currency;
- every status move is conditional ("from this status to that one"), so two
  requests racing on one session never both act;
- a webhook event is applied once: its id is in ``ProcessedEvent`` in the same
  transaction as its effect.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PaymentQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        """Stamp ``updated_at`` on every conditional move too: reconciliation measures how long a status stood."""
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)


class Payment(models.Model):
    """One payment session: what the storefront pays into, held by the provider as an intent."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT_METHOD = "requires_payment_method"
        REQUIRES_ACTION = "requires_action"
        PROCESSING = "processing"
        AUTHORIZED = "authorized"
        CAPTURING = "capturing"
        CAPTURED = "captured"
        CANCELING = "canceling"
        CANCELED = "canceled"
        REFUNDED = "refunded"

    session_id = models.CharField(max_length=40, unique=True)
    # Idempotency of session_create: one session per key (empty: none asked for).
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    reference = models.CharField(max_length=100, db_index=True)
    order_number = models.CharField(max_length=32, null=True, blank=True, unique=True)
    provider = models.CharField(max_length=20)
    intent_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    client_secret = models.CharField(max_length=255, blank=True, default="")
    # The payment method the server confirmed with (an id like pm_..., never card data): a retry of the creation
    # must send the provider exactly the same request under the same key.
    payment_method = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.REQUIRES_PAYMENT_METHOD, db_index=True)
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    currency = models.CharField(max_length=3)
    amount_captured = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    amount_refunded = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    next_action = models.JSONField(null=True, blank=True)
    decline_code = models.CharField(max_length=100, blank=True, default="")
    # The provider's time stamp of the newest event applied: an older one arriving late changes nothing.
    provider_seen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("refund_payment", "Can refund payments")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_amount_positive"),
            models.CheckConstraint(condition=Q(amount_captured__gte=0), name="payments_payment_captured_not_negative"),
            models.CheckConstraint(condition=Q(amount_refunded__gte=0), name="payments_payment_refunded_not_negative"),
            models.CheckConstraint(condition=Q(amount_captured__lte=F("amount")), name="payments_payment_captured_le_amount"),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount_captured")), name="payments_payment_refunded_le_captured"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.status}"


class Refund(models.Model):
    """Money given back from one payment: how much, who asked, why, and the provider's reference."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(max_length=200, unique=True)  # the provider's idempotency key
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    reason = models.CharField(max_length=500)
    actor = models.CharField(max_length=150)  # a staff user name, or "system"
    provider_refund_id = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, default="pending")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive")]


class ProcessedEvent(models.Model):
    """A provider's webhook event applied here; its id is kept so a redelivery changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="payments_event_once")]


class TestIntent(models.Model):
    """The test provider's own record of an intent, standing in for a provider's books."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    intent_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=32)
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    currency = models.CharField(max_length=3)
    amount_received = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    amount_refunded = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    payment_method = models.CharField(max_length=100, blank=True, default="")
    decline_code = models.CharField(max_length=100, blank=True, default="")
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class TestCall(models.Model):
    """The test provider's idempotency keys: a retried call answers what the first one did."""

    __test__ = False

    key = models.CharField(max_length=255, unique=True)
    intent_id = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
