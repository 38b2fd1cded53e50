"""Implements ``contracts.pricing.PricingService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import FieldProblem, InvalidInput
from contracts.pricing import Price, PriceNotFound, Quote, VoucherRedemption
from modules.pricing import selectors, services as pricing_services
from modules.pricing.calculator import Discount, PricedLine, quote_calculate, subtotal_of
from modules.pricing.models import SKU_MAX_LENGTH, Promotion, Voucher, VoucherRedemption as RedemptionRow
from modules.pricing.money import currency_check, money_round

QUOTE_MAX_LINES = 500


class PricingFacade:
    """Prices, quotes and voucher uses for the other modules; amounts are rounded to the currency."""

    def prices_get(self, *, skus: Sequence[str], currency: str) -> Mapping[str, Price]:
        """Return current unit prices of ``skus``; SKUs without a price are absent. Raises ``UnknownCurrency``."""
        currency_check(currency)
        current = selectors.prices_current(skus=list(skus), currency=currency, now=timezone.now())
        return {sku: _to_price(row, currency) for sku, row in current.items()}

    def quote_create(
        self,
        *,
        currency: str,
        lines: Sequence[SkuQuantity],
        voucher_code: str | None = None,
        email: str | None = None,
    ) -> Quote:
        """Price ``lines`` with promotions and the voucher, under the stacking rule of ``calculator``.

        Lines of the same SKU are merged (quantities summed, first position
        kept); the merged quantity must still be within the per-line maximum.
        Raises ``UnknownCurrency``, ``InvalidInput`` (field errors per line),
        ``PriceNotFound`` (naming every SKU without a price) and ``VoucherInvalid``.
        """
        currency_check(currency)
        merged = _lines_merge(lines)
        now = timezone.now()
        prices = selectors.prices_current(skus=list(merged), currency=currency, now=now)
        missing = tuple(sorted(sku for sku in merged if sku not in prices))
        if missing:
            raise PriceNotFound(skus=missing, currency=currency)
        priced = [
            PricedLine(sku=sku, quantity=qty, unit_price=money_round(prices[sku].amount, currency))
            for sku, qty in merged.items()
        ]
        voucher = None
        if voucher_code is not None and voucher_code.strip():
            row = selectors.voucher_check(
                voucher=selectors.voucher_find(code=voucher_code),
                currency=currency,
                subtotal=subtotal_of(priced),
                email=email,
                now=now,
            )
            voucher = _to_discount(row, currency)
        line_promotions, cart_promotions = _promotions(currency=currency, now=now, skus=merged.keys())
        return quote_calculate(
            currency=currency,
            lines=priced,
            line_promotions=line_promotions,
            cart_promotions=cart_promotions,
            voucher=voucher,
        )

    def voucher_redeem(
        self, *, code: str, reference: str, email: str, currency: str, subtotal: Decimal
    ) -> VoucherRedemption:
        """Use the voucher once for ``reference``; idempotent per reference. Raises ``VoucherInvalid``."""
        row = pricing_services.voucher_redeem(
            code=code, reference=reference, email=email, currency=currency, subtotal=subtotal
        )
        return _to_redemption(row)

    def voucher_release(self, *, reference: str) -> None:
        """Give back the use taken for ``reference``; idempotent, a no-op when none was taken."""
        pricing_services.voucher_release(reference=reference)


def _lines_merge(lines: Sequence[SkuQuantity]) -> dict[str, int]:
    """Return quantity per SKU in first-seen order; raise ``InvalidInput`` naming every bad line."""
    maximum = settings.CHECKOUT_MAX_LINE_QUANTITY
    if len(lines) > QUOTE_MAX_LINES:
        raise InvalidInput(f"A quote has at most {QUOTE_MAX_LINES} lines.", code="too_many_lines")
    merged: dict[str, int] = {}
    problems: list[FieldProblem] = []
    for index, line in enumerate(lines):
        sku, quantity = line.sku, line.quantity
        if not isinstance(sku, str) or not 0 < len(sku) <= SKU_MAX_LENGTH:
            problems.append(
                FieldProblem(
                    field=f"lines[{index}].sku", code="invalid_sku", detail=f"A SKU is 1 to {SKU_MAX_LENGTH} characters."
                )
            )
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


def _promotions(*, currency: str, now: datetime, skus: Iterable[str]) -> tuple[list[Discount], list[Discount]]:
    """Return the line and cart promotions valid now, with category targets resolved through the catalog."""
    line_promotions: list[Discount] = []
    cart_promotions: list[Discount] = []
    category_skus: dict[str, frozenset[str]] = {}
    wanted = set(skus)
    for promo in selectors.promotions_active(currency=currency, now=now):
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


def _to_price(row: selectors.CurrentPrice, currency: str) -> Price:
    return Price(
        sku=row.sku,
        currency=currency,
        amount=money_round(row.amount, currency),
        compare_at=money_round(row.compare_at, currency) if row.compare_at is not None else None,
    )


def _to_redemption(row: RedemptionRow) -> VoucherRedemption:
    return VoucherRedemption(code=row.voucher.code, reference=row.reference, email=row.email)
