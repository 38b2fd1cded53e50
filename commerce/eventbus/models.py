"""The outbox (events and their deliveries) and the inbox (what each subscriber has applied).

Each module's database holds its own copy of these tables: the outbox rows
of an event live with its publisher's data, the inbox rows of a subscriber
with the subscriber's data, so each is written in the same transaction as
the change it belongs to.
"""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    event_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    version = models.PositiveIntegerField(default=1)
    publisher = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "outbox event"

    def __str__(self) -> str:
        return f"{self.name} {self.event_id}"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        RETRYING = "retrying"
        DELIVERED = "delivered"
        DEAD = "dead"

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    # When the sweeper may (re)dispatch it: the retry time, or the end of the current dispatch's lease.
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [
            ("retry_delivery", "Can retry dead or retrying deliveries"),
            ("replay_delivery", "Can replay a delivered event to its subscriber"),
        ]
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="eventbus_delivery_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="eventbus_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event.name} → {self.subscriber} ({self.state})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    error = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "number"]


class InboxEntry(models.Model):
    subscriber = models.CharField(max_length=200)
    event_id = models.CharField(max_length=64)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "inbox entries"
        constraints = [models.UniqueConstraint(fields=["subscriber", "event_id"], name="eventbus_inbox_once")]

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event_id}"
