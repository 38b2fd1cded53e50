"""The tax rules as properties over random carts (no database): per-line rounding, sums, gross = net + tax."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.money import minor_units
from contracts.taxes import TaxableLine
from modules.taxes.calculator import line_tax, tax_compute

CURRENCIES = ["EUR", "JPY", "KWD"]
CLASSES = ["standard", "reduced", "zero"]


def _rate() -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=30000).map(lambda thousandths: Decimal(thousandths) / 1000)


@st.composite
def _cart(draw: st.DrawFn) -> dict:
    currency = draw(st.sampled_from(CURRENCIES))
    unit = Decimal(1).scaleb(-minor_units(currency))
    amount = st.integers(min_value=0, max_value=10**8).map(lambda units: units * unit)
    lines = [
        TaxableLine(key=f"SKU-{i}", amount=draw(amount), tax_class=draw(st.sampled_from(CLASSES)))
        for i in range(draw(st.integers(0, 8)))
    ]
    return {
        "currency": currency,
        "decimals": minor_units(currency),
        "country": "DE",
        "region": "",
        "lines": lines,
        "shipping_amount": draw(st.none() | amount),
        "rates": {"standard": draw(_rate()), "reduced": draw(_rate())},
        "shipping_rule": draw(st.sampled_from(["highest", "standard", "exempt"])),
        "prices_include_tax": draw(st.booleans()),
    }


@given(_cart())
def test_every_line_keeps_its_amount_and_gross_is_net_plus_tax(cart):
    breakdown = tax_compute(**cart)
    quantum = Decimal(1).scaleb(-cart["decimals"])
    taxed = [*breakdown.lines, *([breakdown.shipping] if breakdown.shipping else [])]
    given_amounts = [line.amount for line in cart["lines"]] + (
        [cart["shipping_amount"]] if cart["shipping_amount"] is not None else []
    )
    assert len(taxed) == len(given_amounts)
    for line, amount in zip(taxed, given_amounts, strict=True):
        assert line.gross == line.net + line.tax
        assert (line.gross if cart["prices_include_tax"] else line.net) == amount
        assert line.tax >= 0 and line.net >= 0
        assert line.tax == line.tax.quantize(quantum) and line.net == line.net.quantize(quantum)
        if line.tax_class == "zero":
            assert line.rate == 0 and line.tax == 0


@given(_cart())
def test_totals_are_the_sums_of_the_lines(cart):
    breakdown = tax_compute(**cart)
    taxed = [*breakdown.lines, *([breakdown.shipping] if breakdown.shipping else [])]
    assert breakdown.net_total == sum(line.net for line in taxed)
    assert breakdown.tax_total == sum(line.tax for line in taxed)
    assert breakdown.gross_total == breakdown.net_total + breakdown.tax_total
    assert sum(r.tax for r in breakdown.rates) == breakdown.tax_total
    assert sum(r.net for r in breakdown.rates) == sum(line.net for line in taxed if line.rate)
    assert [r.rate for r in breakdown.rates] == sorted({line.rate for line in taxed if line.rate}, reverse=True)


@given(_cart())
def test_each_line_is_rounded_half_up_on_its_own(cart):
    breakdown = tax_compute(**cart)
    quantum = Decimal(1).scaleb(-cart["decimals"])
    for line, given_line in zip(breakdown.lines, cart["lines"], strict=True):
        rate = line.rate
        exact = given_line.amount * rate / (100 + rate) if cart["prices_include_tax"] else given_line.amount * rate / 100
        assert abs(line.tax - exact) <= quantum / 2


@given(_cart())
def test_shipping_follows_the_destination_rule(cart):
    breakdown = tax_compute(**cart)
    if breakdown.shipping is None:
        return
    rule = cart["shipping_rule"]
    if rule == "exempt":
        expected = Decimal(0)
    elif rule == "highest" and breakdown.lines:
        expected = max(line.rate for line in breakdown.lines)
    else:
        expected = cart["rates"]["standard"]
    assert breakdown.shipping.rate == expected


@pytest.mark.parametrize(
    ("amount", "rate", "include", "net", "tax", "gross"),
    [
        ("19.99", "19", True, "16.80", "3.19", "19.99"),  # 19.99 × 19/119 = 3.1918 → 3.19
        ("10.00", "7", True, "9.35", "0.65", "10.00"),  # 0.6542 → 0.65
        ("100.00", "7.25", False, "100.00", "7.25", "107.25"),  # a Californian net price
        ("0.05", "10", False, "0.05", "0.01", "0.06"),  # 0.005 rounds half up
    ],
)
def test_known_amounts(amount, rate, include, net, tax, gross):
    line = line_tax(
        key="x", tax_class="standard", amount=Decimal(amount), rate=Decimal(rate), prices_include_tax=include, decimals=2
    )
    assert (line.net, line.tax, line.gross) == (Decimal(net), Decimal(tax), Decimal(gross))
