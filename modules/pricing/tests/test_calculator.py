"""The stacking and rounding rules of quotes, as properties over random carts (no database)."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.money import minor_units
from contracts.pricing import Quote
from modules.pricing.calculator import Discount, PricedLine, quote_calculate
from modules.pricing.money import quantum

CURRENCIES = ["EUR", "JPY", "KWD"]
SKUS = [f"SKU-{i}" for i in range(8)]


def _amount(currency: str, max_units: int = 10**7) -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=max_units).map(lambda units: units * quantum(currency))


def _percentage() -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=1, max_value=10000).map(lambda hundredths: Decimal(hundredths) / 100)


@st.composite
def _discount(draw: st.DrawFn, currency: str, kind: str, rank: int, *, line: bool) -> Discount:
    method = draw(st.sampled_from(["percentage", "fixed"]))
    value = draw(_percentage()) if method == "percentage" else draw(_amount(currency, 10**6).filter(bool))
    return Discount(
        kind=kind,  # type: ignore[arg-type]
        code=f"{kind}-{rank}",
        method=method,  # type: ignore[arg-type]
        value=value,
        rank=rank,
        skus=frozenset(draw(st.sets(st.sampled_from(SKUS), min_size=1))) if line else frozenset(),
        min_subtotal=draw(_amount(currency, 10**6)) if not line else Decimal(0),
    )


@st.composite
def _cart(draw: st.DrawFn) -> dict:
    currency = draw(st.sampled_from(CURRENCIES))
    skus = draw(st.lists(st.sampled_from(SKUS), min_size=0, max_size=len(SKUS), unique=True))
    lines = [
        PricedLine(sku=sku, quantity=draw(st.integers(1, 99)), unit_price=draw(_amount(currency, 10**6)))
        for sku in skus
    ]
    line_promotions = [draw(_discount(currency, "promotion", rank, line=True)) for rank in range(draw(st.integers(0, 3)))]
    cart_promotions = [
        draw(_discount(currency, "promotion", 10 + rank, line=False)) for rank in range(draw(st.integers(0, 3)))
    ]
    voucher = draw(st.none() | _discount(currency, "voucher", 99, line=False))
    return {
        "currency": currency,
        "lines": lines,
        "line_promotions": line_promotions,
        "cart_promotions": cart_promotions,
        "voucher": voucher,
    }


def _per_sku(quote: Quote) -> dict[str, tuple]:
    return {line.sku: (line.quantity, line.unit_price, line.discount, line.total) for line in quote.lines}


@settings(max_examples=400, deadline=None)
@given(cart=_cart(), seed=st.integers(0, 2**32))
def test_a_quote_adds_up_is_never_negative_is_rounded_and_ignores_line_order(cart: dict, seed: int) -> None:
    quote = quote_calculate(**cart)
    decimals = minor_units(cart["currency"])

    assert quote.subtotal == sum((line.unit_price * line.quantity for line in cart["lines"]), Decimal(0))
    assert quote.total == sum((line.total for line in quote.lines), Decimal(0))
    assert quote.total == quote.subtotal - quote.discount_total
    assert quote.discount_total == sum((line.discount for line in quote.lines), Decimal(0))
    assert quote.discount_total == sum((a.amount for a in quote.applied), Decimal(0))
    amounts = [quote.subtotal, quote.discount_total, quote.total, *(a.amount for a in quote.applied)]
    for line in quote.lines:
        assert line.total == line.quantity * line.unit_price - line.discount
        assert 0 <= line.discount <= line.quantity * line.unit_price
        amounts += [line.unit_price, line.discount, line.total]
    for amount in amounts:
        assert amount >= 0
        assert amount == amount.quantize(quantum(cart["currency"]))
        assert -amount.as_tuple().exponent == decimals  # shown with exactly the currency's decimals
    assert sum(1 for a in quote.applied if a.kind == "voucher") == (cart["voucher"] is not None)
    cart_codes = {p.code for p in cart["cart_promotions"]}
    assert sum(1 for a in quote.applied if a.code in cart_codes) <= 1

    shuffled = list(cart["lines"])
    random.Random(seed).shuffle(shuffled)
    again = quote_calculate(**{**cart, "lines": shuffled})
    assert _per_sku(again) == _per_sku(quote)
    assert (again.subtotal, again.discount_total, again.total) == (quote.subtotal, quote.discount_total, quote.total)
    assert sorted(again.applied, key=lambda a: a.code) == sorted(quote.applied, key=lambda a: a.code)


def _line(sku: str, quantity: int, unit_price: str) -> PricedLine:
    return PricedLine(sku=sku, quantity=quantity, unit_price=Decimal(unit_price))


def test_the_best_line_promotion_wins_and_only_one_applies_per_line() -> None:
    ten = Discount(kind="promotion", code="10%", method="percentage", value=Decimal(10), rank=1, skus=frozenset({"A"}))
    three = Discount(kind="promotion", code="3 off", method="fixed", value=Decimal(3), rank=2, skus=frozenset({"A"}))
    quote = quote_calculate(currency="EUR", lines=[_line("A", 2, "20.00")], line_promotions=[ten, three])
    assert quote.lines[0].discount == Decimal("6.00")  # 3 off each of 2 units beats 10% of 40
    assert [(a.code, a.amount) for a in quote.applied] == [("3 off", Decimal("6.00"))]


def test_a_fixed_line_promotion_never_takes_more_than_the_unit_price() -> None:
    big = Discount(kind="promotion", code="big", method="fixed", value=Decimal(50), rank=1, skus=frozenset({"A"}))
    quote = quote_calculate(currency="EUR", lines=[_line("A", 3, "9.99")], line_promotions=[big])
    assert (quote.lines[0].discount, quote.total) == (Decimal("29.97"), Decimal("0.00"))


def test_percentages_round_half_up_per_line() -> None:
    half = Discount(kind="promotion", code="p", method="percentage", value=Decimal(50), rank=1, skus=frozenset({"A", "B"}))
    quote = quote_calculate(currency="EUR", lines=[_line("A", 1, "0.01"), _line("B", 1, "0.03")], line_promotions=[half])
    # 0.005 -> 0.01 and 0.015 -> 0.02: half up on each line, not on the sum (0.02).
    assert [line.discount for line in quote.lines] == [Decimal("0.01"), Decimal("0.02")]


def test_then_one_cart_promotion_then_the_voucher_on_what_remains() -> None:
    line_promo = Discount(kind="promotion", code="L", method="percentage", value=Decimal(10), rank=1, skus=frozenset({"A"}))
    small = Discount(kind="promotion", code="5 off", method="fixed", value=Decimal(5), rank=2, min_subtotal=Decimal(50))
    big = Discount(kind="promotion", code="20 off", method="fixed", value=Decimal(20), rank=3, min_subtotal=Decimal(100))
    unreachable = Discount(kind="promotion", code="50 off", method="fixed", value=Decimal(50), rank=4, min_subtotal=Decimal(1000))
    voucher = Discount(kind="voucher", code="WELCOME10", method="percentage", value=Decimal(10))
    quote = quote_calculate(
        currency="EUR",
        lines=[_line("A", 1, "100.00"), _line("B", 1, "50.00")],
        line_promotions=[line_promo],
        cart_promotions=[small, big, unreachable],
        voucher=voucher,
    )
    # 150 - 10 (line) = 140; best cart promotion: 20 off, split 90:50 -> 12.86 + 7.14; voucher 10% of 120 = 12.
    assert [(a.kind, a.code, a.amount) for a in quote.applied] == [
        ("promotion", "L", Decimal("10.00")),
        ("promotion", "20 off", Decimal("20.00")),
        ("voucher", "WELCOME10", Decimal("12.00")),
    ]
    assert [line.total for line in quote.lines] == [Decimal("69.43"), Decimal("38.57")]
    assert (quote.subtotal, quote.discount_total, quote.total) == (Decimal("150.00"), Decimal("42.00"), Decimal("108.00"))
    assert quote.voucher_code == "WELCOME10"


def test_a_fixed_voucher_larger_than_the_cart_makes_it_free_not_negative() -> None:
    voucher = Discount(kind="voucher", code="BIG", method="fixed", value=Decimal(5000))
    quote = quote_calculate(currency="JPY", lines=[_line("A", 2, "1500"), _line("B", 1, "1")], voucher=voucher)
    assert quote.total == Decimal(0)
    assert quote.applied[0].amount == Decimal("3001")
    assert str(quote.total) == "0"


def test_cents_of_a_split_add_up_exactly() -> None:
    voucher = Discount(kind="voucher", code="TEN", method="fixed", value=Decimal("10.00"))
    lines = [_line(sku, 1, "1.00") for sku in ("A", "B", "C")]
    quote = quote_calculate(currency="EUR", lines=lines, voucher=voucher)
    # 3.00 in all: the cart becomes free.
    assert quote.total == Decimal("0.00")
    voucher = Discount(kind="voucher", code="ONE", method="fixed", value=Decimal("1.00"))
    quote = quote_calculate(currency="EUR", lines=lines, voucher=voucher)
    assert [line.discount for line in quote.lines] == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
