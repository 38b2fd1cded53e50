"""The taxes contract in memory: rates per (country, region) and class, computed as the module computes them.

It follows the module's rules where the contract states them: each line is
taxed and rounded half-up on its own; totals are sums; a region's rate beats
its country's; class ``zero`` is 0; a destination without rates is not
taxed; a taxed one without the class's rate is ``TaxRateMissing``; shipping
follows the country's rule (``highest`` unless set).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from contracts.addresses import Address
from contracts.errors import FieldProblem, InvalidInput
from contracts.money import ISO_MINOR_UNITS
from contracts.pricing import UnknownCurrency
from contracts.taxes import TAX_CLASSES, TaxableLine, TaxBreakdown, TaxedLine, TaxRateMissing, TaxRateTotal
from tests.fakes.recording import Recording


class FakeTaxes(Recording):
    """Implements ``contracts.taxes.TaxesService``."""

    def __init__(self, *, prices_include_tax: bool = True, currencies: Sequence[str] = ("EUR", "USD")) -> None:
        super().__init__()
        self.rates: dict[tuple[str, str], dict[str, Decimal]] = {}
        self.shipping_rules: dict[str, str] = {}
        self.prices_include_tax = prices_include_tax
        self.currencies = tuple(currencies)

    # --- test set-up ----------------------------------------------------------------------------

    def rate_set(self, country: str, tax_class: str, rate: str | int, *, region: str = "") -> None:
        self.rates.setdefault((country, region), {})[tax_class] = Decimal(rate)

    # --- the contract ---------------------------------------------------------------------------

    def tax_calculate(
        self,
        *,
        address: Address,
        currency: str,
        lines: Sequence[TaxableLine],
        shipping_amount: Decimal | None = None,
    ) -> TaxBreakdown:
        self._enter("tax_calculate", address=address, currency=currency, lines=lines, shipping_amount=shipping_amount)
        if currency not in self.currencies:
            raise UnknownCurrency(f"The shop does not sell in {currency!r}.")
        places = ISO_MINOR_UNITS[currency]
        quantum = Decimal(1).scaleb(-places)
        problems = []
        for i, line in enumerate(lines):
            if line.tax_class not in TAX_CLASSES:
                problems.append(FieldProblem(field=f"lines.{i}.tax_class", code="invalid", detail="A tax class."))
            elif line.amount < 0 or line.amount != line.amount.quantize(quantum):
                problems.append(FieldProblem(field=f"lines.{i}.amount", code="invalid", detail="An amount."))
        if shipping_amount is not None and (shipping_amount < 0 or shipping_amount != shipping_amount.quantize(quantum)):
            problems.append(FieldProblem(field="shipping_amount", code="invalid", detail="An amount."))
        if problems:
            raise InvalidInput("The tax request is not valid.", errors=tuple(problems))
        own = {**self.rates.get((address.country, ""), {}), **self.rates.get((address.country, address.region), {})}
        taxed = (address.country, "") in self.rates or (address.country, address.region) in self.rates

        def rate_of(tax_class: str) -> Decimal:
            if tax_class == "zero" or not taxed:
                return Decimal(0)
            if tax_class not in own:
                raise TaxRateMissing(country=address.country, region=address.region, tax_class=tax_class)
            return own[tax_class]

        def tax_line(key: str, tax_class: str, amount: Decimal, rate: Decimal) -> TaxedLine:
            if self.prices_include_tax:
                tax = (amount * rate / (100 + rate)).quantize(quantum, rounding=ROUND_HALF_UP)
                return TaxedLine(key=key, tax_class=tax_class, rate=rate, net=amount - tax, tax=tax, gross=amount)  # type: ignore[arg-type]
            tax = (amount * rate / 100).quantize(quantum, rounding=ROUND_HALF_UP)
            return TaxedLine(key=key, tax_class=tax_class, rate=rate, net=amount, tax=tax, gross=amount + tax)  # type: ignore[arg-type]

        taxed_lines = tuple(tax_line(line.key, line.tax_class, line.amount, rate_of(line.tax_class)) for line in lines)
        shipping = None
        if shipping_amount is not None:
            rule = self.shipping_rules.get(address.country, "highest")
            if rule == "exempt":
                shipping = tax_line("shipping", "zero", shipping_amount, Decimal(0))
            elif rule == "highest" and taxed_lines:
                top = max(taxed_lines, key=lambda t: t.rate)
                shipping = tax_line("shipping", top.tax_class, shipping_amount, top.rate)
            else:
                shipping = tax_line("shipping", "standard", shipping_amount, rate_of("standard"))
        every = [*taxed_lines, *([shipping] if shipping else [])]
        by_rate: dict[Decimal, list[Decimal]] = {}
        for line in every:
            if line.rate:
                sums = by_rate.setdefault(line.rate, [Decimal(0), Decimal(0)])
                sums[0] += line.net
                sums[1] += line.tax
        zero = Decimal(0).quantize(quantum)
        return TaxBreakdown(
            currency=currency,
            country=address.country,
            region=address.region,
            prices_include_tax=self.prices_include_tax,
            lines=taxed_lines,
            shipping=shipping,
            rates=tuple(TaxRateTotal(rate=r, net=n, tax=t) for r, (n, t) in sorted(by_rate.items(), reverse=True)),
            net_total=sum((line.net for line in every), zero),
            tax_total=sum((line.tax for line in every), zero),
            gross_total=sum((line.gross for line in every), zero),
        )
