"""Shipping's tables: zones (where), methods (how, per zone) and rates (how much, per method and currency).

The rules that read them are in ``rates.py``; admin edits are checked by
each model's ``clean()`` (they publish nothing), and the rate import goes
through ``services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class RateBasis(models.TextChoices):
    FLAT = "flat", "flat"
    SUBTOTAL = "subtotal", "order subtotal"
    WEIGHT = "weight", "total weight (grams)"


class ShippingZone(models.Model):
    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ShippingZoneArea(models.Model):
    """One part of a zone: a country, optionally narrowed to a region or to postal codes starting with a prefix."""

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="areas")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE.")
    region = models.CharField(max_length=128, blank=True, default="", help_text="Region code, e.g. CA; blank: all.")
    postal_prefix = models.CharField(max_length=32, blank=True, default="", help_text="Postal codes starting so; blank: all.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "country", "region", "postal_prefix"], name="shipping_area_unique"),
        ]
        indexes = [models.Index(fields=["country"], name="shipping_area_country")]

    def __str__(self) -> str:
        return "-".join(part for part in (self.country, self.region, self.postal_prefix and f"{self.postal_prefix}*") if part)

    def clean(self) -> None:
        from kernel.addresses import country_known, region_choices

        self.country = (self.country or "").strip().upper()
        self.region = (self.region or "").strip().upper()
        self.postal_prefix = "".join((self.postal_prefix or "").split()).upper()
        if not country_known(self.country):
            raise ValidationError({"country": "Not a known ISO 3166-1 alpha-2 country code."})
        choices = {code.upper() for code, _ in region_choices(self.country)}
        if self.region and self.region not in choices:
            raise ValidationError({"region": f"Not a region code of {self.country}."})


class ShippingMethod(models.Model):
    code = models.SlugField(max_length=64, unique=True, help_text="Stable id that carts store, e.g. dhl-standard.")
    zone = models.ForeignKey(ShippingZone, on_delete=models.PROTECT, related_name="methods")
    name = models.CharField(max_length=100)
    carrier = models.CharField(max_length=100, blank=True, default="")
    basis = models.CharField(max_length=10, choices=RateBasis.choices, default=RateBasis.FLAT)
    delivery_days_min = models.PositiveSmallIntegerField(null=True, blank=True)
    delivery_days_max = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery_days_min__isnull=True)
                | Q(delivery_days_max__isnull=True)
                | Q(delivery_days_max__gte=models.F("delivery_days_min")),
                name="shipping_method_days_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        lo, hi = self.delivery_days_min, self.delivery_days_max
        if lo is not None and hi is not None and hi < lo:
            raise ValidationError({"delivery_days_max": "At least the minimum."})


def _amount_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=15, decimal_places=3, **kwargs)


class ShippingRate(models.Model):
    """One band of a method's price in one currency: ``lower <= value < upper`` of the method's basis."""

    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="rates")
    currency = models.CharField(max_length=3)
    lower = _amount_field(default=Decimal(0), help_text="Band start, included (an amount, or grams). 0 for flat.")
    upper = _amount_field(null=True, blank=True, help_text="Band end, excluded; blank: no limit.")
    price = _amount_field()
    free_above = _amount_field(null=True, blank=True, help_text="Free once the order subtotal reaches this.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "currency", "lower"], name="shipping_rate_band_unique"),
            models.CheckConstraint(condition=Q(price__gte=0) & Q(lower__gte=0), name="shipping_rate_nonnegative"),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gt=models.F("lower")), name="shipping_rate_band_ordered"
            ),
            models.CheckConstraint(
                condition=Q(free_above__isnull=True) | Q(free_above__gte=0), name="shipping_rate_free_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method.code} {self.currency} [{self.lower}, {self.upper or '∞'})"

    def clean(self) -> None:
        from modules.shipping.services import rate_problems

        problems = rate_problems(
            method=self.method if self.method_id else None,
            currency=self.currency,
            lower=self.lower,
            upper=self.upper,
            price=self.price,
            free_above=self.free_above,
            exclude_pk=self.pk,
        )
        if problems:
            raise ValidationError({p.field: p.detail for p in problems})
