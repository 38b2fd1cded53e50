"""Quotes: lines priced with promotions and a voucher under the calculator's stacking rule; nothing stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils import timezone

from contracts.common import SKU_RULE, SkuQuantity, sku_valid
from contracts.container import services
from contracts.errors import FieldProblem, InvalidInput
from contracts.pricing import PriceNotFound, Quote
from modules.pricing.calculator import Discount, PricedLine, quote_calculate, subtotal_of
from modules.pricing.models import (
    Promotion,
    Voucher,
)
from modules.pricing.money import currency_check, money_round
from modules.pricing.selectors.prices import prices_and_promotions_current
from modules.pricing.selectors.vouchers import voucher_check, voucher_find

QUOTE_MAX_LINES = 500


def quote_compute(
    *, currency: str, lines: Sequence[SkuQuantity], voucher_code: str | None = None, email: str | None = None
) -> Quote:
    """Price ``lines`` with promotions and the voucher, under the stacking rule of ``calculator``; store nothing.

    Lines of the same SKU are merged (quantities summed, first position
    kept); the merged quantity must still be within the per-line maximum.
    Raises ``UnknownCurrency``, ``InvalidInput`` (field errors per line),
    ``PriceNotFound`` (naming every SKU without a price) and ``VoucherInvalid``.
    """
    currency_check(currency)
    merged = _lines_merge(lines)
    now = timezone.now()
    prices, promotions = prices_and_promotions_current(skus=list(merged), currency=currency, now=now)
    missing = tuple(sorted(sku for sku in merged if sku not in prices))
    if missing:
        raise PriceNotFound(skus=missing, currency=currency)
    priced = [
        PricedLine(sku=sku, quantity=qty, unit_price=money_round(prices[sku].amount, currency))
        for sku, qty in merged.items()
    ]
    voucher = None
    if voucher_code is not None and voucher_code.strip():
        row = voucher_check(
            voucher=voucher_find(code=voucher_code),
            currency=currency,
            subtotal=subtotal_of(priced),
            email=email,
            now=now,
        )
        voucher = _to_discount(row, currency)
    line_promotions, cart_promotions = _promotions(promotions=promotions, currency=currency, skus=merged.keys())
    return quote_calculate(
        currency=currency,
        lines=priced,
        line_promotions=line_promotions,
        cart_promotions=cart_promotions,
        voucher=voucher,
    )


def _lines_merge(lines: Sequence[SkuQuantity]) -> dict[str, int]:
    """Return quantity per SKU in first-seen order; raise ``InvalidInput`` naming every bad line."""
    maximum = settings.CHECKOUT_MAX_LINE_QUANTITY
    if len(lines) > QUOTE_MAX_LINES:
        raise InvalidInput(f"A quote has at most {QUOTE_MAX_LINES} lines.", code="too_many_lines")
    merged: dict[str, int] = {}
    problems: list[FieldProblem] = []
    for index, line in enumerate(lines):
        sku, quantity = line.sku, line.quantity
        if not sku_valid(sku):
            problems.append(FieldProblem(field=f"lines[{index}].sku", code="invalid_sku", detail=f"A SKU is {SKU_RULE}."))
            continue
        # bool is an int in Python; True is not a quantity.
        if type(quantity) is not int or not 1 <= quantity <= maximum or merged.get(sku, 0) + quantity > maximum:
            problems.append(
                FieldProblem(
                    field=f"lines[{index}].quantity",
                    code="invalid_quantity",
                    detail=f"A quantity is a whole number from 1 to {maximum} per SKU.",
                )
            )
            continue
        merged[sku] = merged.get(sku, 0) + quantity
    if problems:
        raise InvalidInput("Some lines are not valid.", code="invalid_lines", errors=tuple(problems))
    return merged


def _promotions(
    *, promotions: Sequence[Promotion], currency: str, skus: Iterable[str]
) -> tuple[list[Discount], list[Discount]]:
    """Return the line and cart discounts of the valid ``promotions``, with category targets resolved through the catalog."""
    line_promotions: list[Discount] = []
    cart_promotions: list[Discount] = []
    category_skus: dict[str, frozenset[str]] = {}
    wanted = set(skus)
    for promo in promotions:
        if promo.target == Promotion.Target.SUBTOTAL:
            cart_promotions.append(_to_discount(promo, currency))
            continue
        if promo.target == Promotion.Target.CATEGORY:
            if not wanted:
                continue
            if promo.category_slug not in category_skus:
                category_skus[promo.category_slug] = services().catalog.category_skus_get(slug=promo.category_slug)
            targets = category_skus[promo.category_slug]
        else:
            targets = frozenset(promo.skus)
        if targets & wanted:
            line_promotions.append(_to_discount(promo, currency, skus=targets & wanted))
    return line_promotions, cart_promotions


def _to_discount(row: Promotion | Voucher, currency: str, *, skus: frozenset[str] = frozenset()) -> Discount:
    is_voucher = isinstance(row, Voucher)
    value = row.value if row.kind == "percentage" else money_round(row.value, currency)
    return Discount(
        kind="voucher" if is_voucher else "promotion",
        code=row.code if is_voucher else row.name,
        method=row.kind,  # type: ignore[arg-type]
        value=value,
        rank=row.pk,
        skus=skus,
        min_subtotal=row.min_subtotal,
    )
