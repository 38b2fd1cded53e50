"""Compute a quote from prices, promotions and a voucher: pure arithmetic, no database.

Stacking rule, applied in this order and never otherwise:

1. **Line promotions.** Each line gets the single best line promotion that
   targets its SKU (the largest discount; a tie goes to the lower rank, i.e.
   the older promotion). Percentage: ``round(line subtotal * p / 100)``.
   Fixed: ``value`` off each unit, at most the unit price.
2. **Cart promotion.** At most one: of the cart promotions whose threshold
   (``min_subtotal``) the quote's ``subtotal`` reaches, the one giving the
   largest discount on what the lines cost after step 1.
3. **Voucher.** On what remains after steps 1 and 2.

Rounding: one rule, ``ROUND_HALF_UP`` to the currency's minor unit, per line.
A percentage at cart level (steps 2 and 3) is taken from each line and
rounded per line. A fixed amount at cart level is capped at what remains and
split across the lines in proportion to what each still costs, by largest
remainder in minor units (ties to the SKU that sorts first), so the cents add
up exactly and no line goes below zero.

Hence, for every quote: ``subtotal == sum(quantity * unit_price)``,
``discount_total == sum(line.discount) == sum(applied amounts)``,
``total == sum(line.total) == subtotal - discount_total``, nothing is
negative, every amount is a whole number of minor units, and the result does
not depend on the order of the lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from contracts.pricing import AppliedDiscount, Quote, QuoteLine
from modules.pricing.money import money_round, quantum

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedLine:
    sku: str
    quantity: int
    unit_price: Decimal  # already a whole number of minor units


@dataclass(frozen=True, slots=True, kw_only=True)
class Discount:
    """A promotion or voucher reduced to what the arithmetic needs."""

    kind: Literal["promotion", "voucher"]
    code: str  # the promotion's name or the voucher's code
    method: Literal["percentage", "fixed"]
    value: Decimal
    rank: int = 0  # breaks ties between equally good promotions: lower wins
    skus: frozenset[str] = frozenset()  # line promotions: the SKUs they apply to
    min_subtotal: Decimal = ZERO  # cart promotions: the subtotal they start at


def subtotal_of(lines: Sequence[PricedLine]) -> Decimal:
    """Return the sum of ``quantity * unit_price``: the quote's subtotal, before any discount."""
    return sum((line.unit_price * line.quantity for line in lines), ZERO)


def quote_calculate(
    *,
    currency: str,
    lines: Sequence[PricedLine],
    line_promotions: Sequence[Discount] = (),
    cart_promotions: Sequence[Discount] = (),
    voucher: Discount | None = None,
) -> Quote:
    """Return the quote of ``lines`` under the stacking rule of this module."""
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        raise ValueError("one line per SKU: merge duplicates before calculating")
    q = quantum(currency)
    gross = {line.sku: money_round(line.unit_price * line.quantity, currency) for line in lines}
    remaining = dict(gross)
    totals: dict[str, Decimal] = {}  # applied amount per code, in the order applied

    # 1. The best line promotion per line.
    used_line_promotions: dict[str, tuple[int, Decimal]] = {}
    for line in lines:
        best: tuple[Decimal, int, Discount] | None = None
        for promo in line_promotions:
            if line.sku not in promo.skus:
                continue
            amount = min(_line_promotion_amount(promo, line, currency), gross[line.sku])
            if amount > 0 and (best is None or (amount, -promo.rank) > (best[0], -best[1])):
                best = (amount, promo.rank, promo)
        if best is not None:
            amount, rank, promo = best
            remaining[line.sku] -= amount
            previous = used_line_promotions.get(promo.code, (rank, ZERO))[1]
            used_line_promotions[promo.code] = (rank, previous + amount)
    for code, (_, amount) in sorted(used_line_promotions.items(), key=lambda item: (item[1][0], item[0])):
        totals[code] = amount
    applied = [AppliedDiscount(kind="promotion", code=code, amount=amount) for code, amount in totals.items()]

    # 2. At most one cart promotion: the best one whose threshold the subtotal reaches.
    subtotal = sum(gross.values(), ZERO)
    best_cart: tuple[Decimal, int, dict[str, Decimal], Discount] | None = None
    for promo in cart_promotions:
        if subtotal < promo.min_subtotal:
            continue
        shares = _cart_shares(promo, remaining, q, currency)
        amount = sum(shares.values(), ZERO)
        if amount > 0 and (best_cart is None or (amount, -promo.rank) > (best_cart[0], -best_cart[1])):
            best_cart = (amount, promo.rank, shares, promo)
    if best_cart is not None:
        amount, _, shares, promo = best_cart
        for sku, share in shares.items():
            remaining[sku] -= share
        applied.append(AppliedDiscount(kind="promotion", code=promo.code, amount=amount))

    # 3. The voucher, on what remains; listed even when nothing remains, so the customer sees it was accepted.
    if voucher is not None:
        shares = _cart_shares(voucher, remaining, q, currency)
        for sku, share in shares.items():
            remaining[sku] -= share
        applied.append(AppliedDiscount(kind="voucher", code=voucher.code, amount=sum(shares.values(), ZERO)))

    quote_lines = tuple(
        QuoteLine(
            sku=line.sku,
            quantity=line.quantity,
            unit_price=money_round(line.unit_price, currency),
            discount=money_round(gross[line.sku] - remaining[line.sku], currency),
            total=money_round(remaining[line.sku], currency),
        )
        for line in lines
    )
    total = sum(remaining.values(), ZERO)
    return Quote(
        currency=currency,
        lines=quote_lines,
        subtotal=money_round(subtotal, currency),
        discount_total=money_round(subtotal - total, currency),
        total=money_round(total, currency),
        applied=tuple(
            AppliedDiscount(kind=a.kind, code=a.code, amount=money_round(a.amount, currency)) for a in applied
        ),
        voucher_code=voucher.code if voucher is not None else None,
    )


def _line_promotion_amount(promo: Discount, line: PricedLine, currency: str) -> Decimal:
    if promo.method == "percentage":
        return money_round(line.unit_price * line.quantity * promo.value / HUNDRED, currency)
    return min(promo.value, line.unit_price) * line.quantity


def _cart_shares(discount: Discount, remaining: dict[str, Decimal], q: Decimal, currency: str) -> dict[str, Decimal]:
    """Return how much of a cart-level ``discount`` each line bears; never more than the line still costs."""
    if discount.method == "percentage":
        return {sku: min(money_round(left * discount.value / HUNDRED, currency), left) for sku, left in remaining.items()}
    # Fixed: split in whole minor units, in proportion to what each line still costs (largest remainder).
    left_units = {sku: int(left / q) for sku, left in remaining.items()}
    pool = sum(left_units.values())
    amount_units = min(int(money_round(discount.value, currency) / q), pool)
    if amount_units == 0:
        return {sku: ZERO for sku in remaining}
    share_units = {sku: amount_units * units // pool for sku, units in left_units.items()}
    leftover = amount_units - sum(share_units.values())
    by_remainder = sorted(left_units, key=lambda sku: (-(amount_units * left_units[sku] % pool), sku))
    for sku in by_remainder[:leftover]:
        share_units[sku] += 1
    return {sku: units * q for sku, units in share_units.items()}
