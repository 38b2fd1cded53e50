"""The tax provider port: who computes a cart's tax. The default reads the shop's rate table.

``TAX_PROVIDER`` names the class (a dotted path); an adapter for an external
tax service implements ``TaxProvider`` and is configured there, and nothing
else changes: callers only see ``contracts.taxes.TaxesService``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from contracts.addresses import Address
from contracts.money import minor_units
from contracts.taxes import TaxableLine, TaxBreakdown, TaxRateMissing
from modules.taxes import selectors
from modules.taxes.calculator import tax_compute


class TaxProvider(Protocol):
    def calculate(
        self,
        *,
        address: Address,
        currency: str,
        lines: Sequence[TaxableLine],
        shipping_amount: Decimal | None,
        prices_include_tax: bool,
    ) -> TaxBreakdown:
        """Return the tax of a checked call (amounts in the currency's minor units, known classes)."""
        ...


class RateTableProvider:
    """Rates from the admin's table (``TaxRate``, ``CountryTaxRule``), computed by ``calculator.tax_compute``."""

    def calculate(
        self,
        *,
        address: Address,
        currency: str,
        lines: Sequence[TaxableLine],
        shipping_amount: Decimal | None,
        prices_include_tax: bool,
    ) -> TaxBreakdown:
        rates, taxed, rule = selectors.destination_rates(country=address.country, region=address.region)
        needed = {line.tax_class for line in lines} - {"zero"}
        if shipping_amount is not None and (rule == "standard" or (rule == "highest" and not lines)):
            needed.add("standard")
        if not taxed:
            rates = dict.fromkeys(needed, Decimal(0))
        for tax_class in sorted(needed):
            if tax_class not in rates:
                raise TaxRateMissing(country=address.country, region=address.region, tax_class=tax_class)
        return tax_compute(
            currency=currency,
            decimals=minor_units(currency),
            country=address.country,
            region=address.region,
            lines=lines,
            shipping_amount=shipping_amount,
            rates=rates,
            shipping_rule=rule,  # type: ignore[arg-type]
            prices_include_tax=prices_include_tax,
        )


def tax_provider() -> TaxProvider:
    """Return the configured provider (``TAX_PROVIDER``)."""
    return import_string(settings.TAX_PROVIDER)()
