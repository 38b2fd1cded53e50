"""Demo data of the taxes module: VAT of Germany and a few EU countries, sales tax of three US states.

Rates as of 2025, for the demo only: a real shop imports its own
(``manage.py import_tax_rates``). Idempotent: rates that exist are left as they are.
"""

from __future__ import annotations

from decimal import Decimal

from kernel.transactions import atomic_for
from modules.taxes.models import CountryTaxRule, TaxRate

# (country, region, standard, reduced)
DEMO_RATES = (
    ("DE", "", "19", "7"),
    ("AT", "", "20", "10"),
    ("FR", "", "20", "5.5"),
    ("NL", "", "21", "9"),
    ("US", "CA", "7.25", "7.25"),
    ("US", "NY", "4", "4"),
    ("US", "TX", "6.25", "6.25"),
)
# Simplified: shipping is taxed in some US states and not in others; the demo says not, country-wide.
DEMO_SHIPPING_RULES = {"US": "exempt"}


def taxes_demo_seed() -> int:
    """Create the demo rates and rules that do not exist yet; return how many rates the demo has."""
    count = 0
    with atomic_for(TaxRate):
        for country, region, standard, reduced in DEMO_RATES:
            for tax_class, rate in (("standard", standard), ("reduced", reduced)):
                TaxRate.objects.get_or_create(
                    country=country, region=region, tax_class=tax_class, defaults={"rate": Decimal(rate)}
                )
                count += 1
        for country, shipping in DEMO_SHIPPING_RULES.items():
            CountryTaxRule.objects.get_or_create(country=country, defaults={"shipping": shipping})
    return count
