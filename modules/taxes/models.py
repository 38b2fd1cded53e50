"""Taxes' tables: rates per destination and tax class, and how each country taxes shipping."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class TaxClass(models.TextChoices):
    STANDARD = "standard", "standard"
    REDUCED = "reduced", "reduced"
    ZERO = "zero", "zero"


class ShippingTaxRule(models.TextChoices):
    HIGHEST = "highest", "at the highest rate among the goods"
    STANDARD = "standard", "at the standard rate"
    EXEMPT = "exempt", "not taxed"


class TaxRate(models.Model):
    """The rate (a percentage) of one tax class in a country, or in one of its regions (a US state: sales tax)."""

    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE.")
    region = models.CharField(
        max_length=128, blank=True, default="", help_text="Region code (e.g. CA); blank: the whole country."
    )
    tax_class = models.CharField(max_length=10, choices=TaxClass.choices)
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percent: 19 for 19 %.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "region", "tax_class"], name="taxes_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="taxes_rate_percent"),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where} {self.tax_class} {self.rate}%"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from modules.taxes.services import tax_rate_problems

        self.country, self.region = (self.country or "").strip().upper(), (self.region or "").strip().upper()
        problems = tax_rate_problems(country=self.country, region=self.region, tax_class=self.tax_class, rate=self.rate)
        if problems:
            raise ValidationError({p.field: p.detail for p in problems})


class CountryTaxRule(models.Model):
    """How a country taxes shipping; a country without a row taxes it at the highest rate among the goods."""

    country = models.CharField(max_length=2, unique=True)
    shipping = models.CharField(max_length=10, choices=ShippingTaxRule.choices, default=ShippingTaxRule.HIGHEST)

    def __str__(self) -> str:
        return f"{self.country}: shipping {self.get_shipping_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from kernel.addresses import country_known

        self.country = (self.country or "").strip().upper()
        if not country_known(self.country):
            raise ValidationError({"country": "Not a known ISO 3166-1 alpha-2 country code."})
