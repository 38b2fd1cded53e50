"""Reads of taxes: the rates that apply at a destination, and its rule for shipping."""

from __future__ import annotations

from decimal import Decimal

from modules.taxes.models import CountryTaxRule, ShippingTaxRule, TaxRate


def percent(rate: Decimal) -> Decimal:
    """Return a stored rate without trailing zeros: ``19.000`` → ``19``, ``7.500`` → ``7.5``."""
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()


def destination_rates(*, country: str, region: str) -> tuple[dict[str, Decimal], bool, str]:
    """Return the rates by class at the destination (a region's own rate beats its country's), whether the
    destination is taxed at all (it has a rate of its own or its country's), and its country's shipping rule.

    A region with no rates in a country whose rates are all regional (a US
    state without sales tax) is not taxed. One query for the rates, one for the rule.
    """
    rows = list(TaxRate.objects.filter(country=country, region__in={"", region}).values_list("region", "tax_class", "rate"))
    rates = {tax_class: percent(rate) for row_region, tax_class, rate in rows if not row_region}
    rates.update({tax_class: percent(rate) for row_region, tax_class, rate in rows if row_region})
    taxed = bool(rows)
    rule = CountryTaxRule.objects.filter(country=country).values_list("shipping", flat=True).first()
    return rates, taxed, rule or ShippingTaxRule.HIGHEST
