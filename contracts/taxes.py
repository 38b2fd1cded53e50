"""Taxes contract: the tax of a cart's lines and its shipping, for a destination.

The caller states the lines as amounts already priced (after discounts) in
the shop's price style; whether those include tax is the shop's setting
(``TAX_PRICES_INCLUDE_TAX``) and is answered back, so the caller never guesses.
Each line is rounded on its own to the currency's minor unit, and every total
is the sum of its lines: ``gross == net + tax`` for each line and each total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from contracts.addresses import Address
from contracts.errors import Conflict

TaxClass = Literal["standard", "reduced", "zero"]
TAX_CLASSES: tuple[str, ...] = ("standard", "reduced", "zero")

# How a destination taxes shipping: at the highest rate among the goods ("highest"), at its standard rate
# ("standard"), or not at all ("exempt").
ShippingTaxRule = Literal["highest", "standard", "exempt"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxableLine:
    """One amount to tax: a cart line's total after discounts, in the shop's price style."""

    key: str  # the caller's name for the line (checkout: the SKU)
    amount: Decimal
    tax_class: TaxClass = "standard"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxedLine:
    """``gross == net + tax``; ``rate`` is a percentage (19 for 19 %)."""

    key: str
    tax_class: TaxClass
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxRateTotal:
    """What one rate adds up to over the lines and shipping taxed at it (an invoice's VAT summary line)."""

    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxBreakdown:
    """The tax of a cart: every total is the sum of ``lines`` and ``shipping``."""

    currency: str
    country: str
    region: str
    prices_include_tax: bool
    lines: tuple[TaxedLine, ...]
    shipping: TaxedLine | None
    rates: tuple[TaxRateTotal, ...]  # by rate, highest first; rates of 0 are left out
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal


class TaxRateMissing(Conflict):
    """The destination taxes goods but has no rate for this tax class: the shop must add it before selling there."""

    code = "tax_rate_missing"
    country: str
    region: str
    tax_class: str

    def __init__(self, detail: str = "", *, country: str, region: str, tax_class: str) -> None:
        where = f"{country}-{region}" if region else country
        super().__init__(
            detail or f"No {tax_class} tax rate is set for {where}.", country=country, region=region, tax_class=tax_class
        )
        self.country, self.region, self.tax_class = country, region, tax_class


class TaxesService(Protocol):
    def tax_calculate(
        self,
        *,
        address: Address,
        currency: str,
        lines: Sequence[TaxableLine],
        shipping_amount: Decimal | None = None,
    ) -> TaxBreakdown:
        """Return the tax of ``lines`` (and of ``shipping_amount``, when there is shipping) delivered to ``address``.

        Rates: the address's region's rate for the class, else its country's;
        class ``zero`` is always 0; a destination with no rates at all is not
        taxed (rate 0). Shipping follows the destination's rule
        (``ShippingTaxRule``). Raises ``InvalidInput`` (bad amount, class or
        currency, or destination: ``InvalidInput`` naming the field) and
        ``TaxRateMissing``. Only the destination is read (country, region,
        postal code), checked as ``kernel.addresses`` checks a destination.
        """
        ...
