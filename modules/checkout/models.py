"""Carts, orders with their frozen lines, and idempotency records of checkout (payments are the payments module's)."""

from __future__ import annotations

from django.db import models


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        COMPLETED = "completed"

    token = models.CharField(max_length=64, unique=True)
    currency = models.CharField(max_length=3)
    voucher_code = models.CharField(max_length=64, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    order_number = models.CharField(max_length=32, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"cart {self.token[:8]}… ({self.status})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="checkout_cartline_one_per_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="checkout_cartline_quantity_positive"),
        ]


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed"
        PAID = "paid"
        CANCELLED = "cancelled"
        FULFILLED = "fulfilled"

    number = models.CharField(max_length=32, unique=True)
    # SHA-256 of the token handed to the customer (modules/checkout/tokens.py); never the token itself.
    access_token_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLACED, db_index=True)
    email = models.EmailField()
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=18, decimal_places=3)
    discount_total = models.DecimalField(max_digits=18, decimal_places=3)
    total = models.DecimalField(max_digits=18, decimal_places=3)
    # Decimal places of the currency's minor unit, as pricing quantized the amounts.
    amount_places = models.PositiveSmallIntegerField(default=2)
    voucher_code = models.CharField(max_length=64, null=True, blank=True)
    shipping_address = models.JSONField()
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    cart_token = models.CharField(max_length=64)
    # The payments module's session that paid for it (captured when settled).
    payment_session = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("cancel_order", "Can cancel orders (refunds them)"), ("fulfil_order", "Can mark orders fulfilled")]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="checkout_order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """A frozen copy of what was bought and at what price; never recomputed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=400)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=3)
    discount = models.DecimalField(max_digits=18, decimal_places=3)
    total = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        ordering = ["id"]


class CheckoutAttempt(models.Model):
    """One Idempotency-Key of one cart: its request fingerprint, progress and final response.

    The order number is chosen when the key is first seen, so every step
    (reservation, voucher, payment) is keyed by it and a retry after a crash
    resumes the same attempt instead of starting a second one.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        DONE = "done"

    cart_token = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    order_number = models.CharField(max_length=32, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    # Which request holds the attempt, until when: a request whose lease was taken over stops writing.
    owner = models.CharField(max_length=32, default="")
    locked_until = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cart_token", "key"], name="checkout_attempt_key_once")]
