"""Writes of taxes: rates per destination and class, and countries' shipping rules, each checked first."""

from __future__ import annotations

from decimal import Decimal

from contracts.errors import FieldProblem, InvalidInput
from contracts.taxes import TAX_CLASSES
from kernel.addresses import country_known, region_choices
from kernel.transactions import atomic_for
from modules.taxes.models import CountryTaxRule, ShippingTaxRule, TaxRate


def tax_rate_problems(*, country: str, region: str, tax_class: str, rate: Decimal | None) -> list[FieldProblem]:
    """Return what is wrong with a rate: an unknown country or region, a class not known, a percent outside 0..100."""
    problems = []
    if not country_known(country):
        problems.append(FieldProblem(field="country", code="invalid", detail="Not a known ISO 3166-1 alpha-2 country code."))
    elif region:
        choices = {code.upper() for code, _ in region_choices(country)}
        if not choices or region not in choices:
            problems.append(FieldProblem(field="region", code="invalid", detail=f"Not a region code of {country}."))
    if tax_class not in TAX_CLASSES:
        problems.append(FieldProblem(field="tax_class", code="invalid", detail=f"One of {', '.join(TAX_CLASSES)}."))
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.001")):
        problems.append(FieldProblem(field="rate", code="invalid", detail="A percentage from 0 to 100, at most 3 decimals."))
    elif tax_class == "zero" and rate != 0:
        problems.append(FieldProblem(field="rate", code="invalid", detail="The zero class is always 0 %."))
    return problems


def tax_rate_set(*, country: str, region: str = "", tax_class: str, rate: Decimal) -> TaxRate:
    """Create or change the rate of ``tax_class`` in ``country`` (or one of its regions)."""
    country, region = country.strip().upper(), region.strip().upper()
    problems = tax_rate_problems(country=country, region=region, tax_class=tax_class, rate=rate)
    if problems:
        raise InvalidInput("The tax rate is not valid.", errors=tuple(problems))
    with atomic_for(TaxRate):
        tax_rate, _ = TaxRate.objects.update_or_create(
            country=country, region=region, tax_class=tax_class, defaults={"rate": rate}
        )
    return tax_rate


def country_shipping_rule_set(*, country: str, shipping: str) -> CountryTaxRule:
    """Say how ``country`` taxes shipping (``ShippingTaxRule``)."""
    country = country.strip().upper()
    problems = []
    if not country_known(country):
        problems.append(FieldProblem(field="country", code="invalid", detail="Not a known ISO 3166-1 alpha-2 country code."))
    if shipping not in ShippingTaxRule.values:
        problems.append(FieldProblem(field="shipping", code="invalid", detail=f"One of {', '.join(ShippingTaxRule.values)}."))
    if problems:
        raise InvalidInput("The rule is not valid.", errors=tuple(problems))
    with atomic_for(CountryTaxRule):
        rule, _ = CountryTaxRule.objects.update_or_create(country=country, defaults={"shipping": shipping})
    return rule
