"""Customers (storefront shoppers, not staff), their address books and their refresh tokens.

Invariants:
- ``email`` is stored folded to lower case and is unique: one account per mailbox;
- ``password`` is only ever a Django password hash;
- ``token_generation`` is carried by every token issued; raising it (sign out
  everywhere, password change, deactivation) revokes every token at once;
- a refresh token is used once: rotating it revokes it (``revoked_at``), and a
  revoked one presented again is refused;
- at most one default shipping and one default billing address per customer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from contracts.addresses import ADDRESS_FIELD_MAX_LENGTH as MAX


class Customer(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    password = models.CharField(max_length=128)
    is_active = models.BooleanField(default=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    marketing_consent = models.BooleanField(default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    token_generation = models.PositiveIntegerField(default=0)
    last_login = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["last_name", "first_name"])]
        permissions = [
            ("deactivate_customer", "Can deactivate a customer (revokes their tokens)"),
            ("erase_customer", "Can erase a customer (every module forgets them)"),
        ]

    def __str__(self) -> str:
        return self.email


class Address(models.Model):
    """One address of a customer's book: the fields of ``contracts.addresses.Address``."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=MAX["name"])
    company = models.CharField(max_length=MAX["company"], blank=True)
    line1 = models.CharField(max_length=MAX["line1"])
    line2 = models.CharField(max_length=MAX["line2"], blank=True)
    city = models.CharField(max_length=MAX["city"])
    region = models.CharField(max_length=MAX["region"], blank=True)
    postal_code = models.CharField(max_length=MAX["postal_code"], blank=True)
    country = models.CharField(max_length=MAX["country"])
    phone = models.CharField(max_length=MAX["phone"], blank=True)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default_shipping=True), name="customers_one_default_shipping"
            ),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default_billing=True), name="customers_one_default_billing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.line1}, {self.city} ({self.country})"


class SignInSession(models.Model):
    """One sign-in (a device): its tokens live until it signs out, or the customer's generation moves."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sessions")
    sid = models.CharField(max_length=64, unique=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.sid


class RefreshToken(models.Model):
    """A refresh token handed out (by its ``jti``): used once, then revoked; reusing a revoked one ends its session."""

    session = models.ForeignKey(SignInSession, on_delete=models.CASCADE, related_name="refresh_tokens")
    jti = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.jti
