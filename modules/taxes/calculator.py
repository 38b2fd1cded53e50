"""The tax of a cart as a pure function (no Django): the rules the property tests hold.

- Each line (and shipping) is taxed on its own and rounded half-up to the
  currency's minor unit: with prices including tax, ``tax = gross × r / (100 + r)``
  and ``net = gross − tax``; without, ``tax = net × r / 100`` and
  ``gross = net + tax``. So ``gross == net + tax`` on every line, and the
  line's given amount is kept exactly (as its gross, or as its net).
- Every total is the sum of its lines; the per-rate summary too.
- Shipping is taxed at the destination's rule: the highest rate among the
  goods lines (the standard rate when there are none), the standard rate, or
  not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from contracts.taxes import ShippingTaxRule, TaxableLine, TaxBreakdown, TaxClass, TaxedLine, TaxRateTotal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _round(amount: Decimal, decimals: int) -> Decimal:
    value = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(value) if value == 0 else value


def line_tax(
    *, key: str, tax_class: TaxClass, amount: Decimal, rate: Decimal, prices_include_tax: bool, decimals: int
) -> TaxedLine:
    """Tax one amount at ``rate`` percent; ``amount`` is the gross with prices including tax, else the net."""
    amount = _round(amount, decimals)
    if prices_include_tax:
        tax = _round(amount * rate / (HUNDRED + rate), decimals)
        net, gross = amount - tax, amount
    else:
        tax = _round(amount * rate / HUNDRED, decimals)
        net, gross = amount, amount + tax
    return TaxedLine(key=key, tax_class=tax_class, rate=rate, net=net, tax=tax, gross=gross)


def tax_compute(
    *,
    currency: str,
    decimals: int,
    country: str,
    region: str,
    lines: Sequence[TaxableLine],
    shipping_amount: Decimal | None,
    rates: Mapping[str, Decimal],
    shipping_rule: ShippingTaxRule,
    prices_include_tax: bool,
) -> TaxBreakdown:
    """Return the tax of ``lines`` and shipping; ``rates`` maps each tax class the lines use (and "standard") to a percent."""

    def rate_of(tax_class: str) -> Decimal:
        return ZERO if tax_class == "zero" else rates[tax_class]

    taxed = tuple(
        line_tax(
            key=line.key,
            tax_class=line.tax_class,
            amount=line.amount,
            rate=rate_of(line.tax_class),
            prices_include_tax=prices_include_tax,
            decimals=decimals,
        )
        for line in lines
    )
    shipping = None
    if shipping_amount is not None:
        shipping_class: TaxClass
        if shipping_rule == "exempt":
            shipping_class, shipping_rate = "zero", ZERO
        elif shipping_rule == "highest" and taxed:
            top = max(taxed, key=lambda t: t.rate)
            shipping_class, shipping_rate = top.tax_class, top.rate
        else:
            shipping_class, shipping_rate = "standard", rate_of("standard")
        shipping = line_tax(
            key="shipping",
            tax_class=shipping_class,
            amount=shipping_amount,
            rate=shipping_rate,
            prices_include_tax=prices_include_tax,
            decimals=decimals,
        )
    every = (*taxed, *((shipping,) if shipping else ()))
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in every:
        if line.rate:
            net, tax = by_rate.get(line.rate, (ZERO, ZERO))
            by_rate[line.rate] = (net + line.net, tax + line.tax)
    zero = _round(ZERO, decimals)
    return TaxBreakdown(
        currency=currency,
        country=country,
        region=region,
        prices_include_tax=prices_include_tax,
        lines=taxed,
        shipping=shipping,
        rates=tuple(TaxRateTotal(rate=rate, net=net, tax=tax) for rate, (net, tax) in sorted(by_rate.items(), reverse=True)),
        net_total=sum((line.net for line in every), zero),
        tax_total=sum((line.tax for line in every), zero),
        gross_total=sum((line.gross for line in every), zero),
    )
