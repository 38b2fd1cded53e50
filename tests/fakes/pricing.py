"""The pricing contract in memory: prices and vouchers a test sets; no promotions.

It follows the module's rules where the contract states them: currencies the
shop sells in and nothing else, lines merged per SKU and checked, every SKU
without a price named, the voucher checks in the module's order, a voucher on
what the lines cost (a percentage rounded half up per line, a fixed amount
split across lines by largest remainder), one use per reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from contracts.common import SKU_RULE, SkuQuantity, sku_valid
from contracts.errors import Conflict, FieldProblem, InvalidInput
from contracts.personal_data import PersonalData
from contracts.pricing import (
    AppliedDiscount,
    Price,
    PriceNotFound,
    Quote,
    QuoteLine,
    UnknownCurrency,
    VoucherInvalid,
    VoucherRedemption,
)
from tests.fakes.recording import Recording

VOUCHER_CODE_MAX_LENGTH = 64
QUOTE_MAX_LINES = 500
# ISO 4217 minor units where they are not 2.
MINOR_UNITS = {"BHD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "OMR": 3, "TND": 3}
ZERO = Decimal(0)


@dataclass(slots=True, kw_only=True)
class FakeVoucher:
    code: str
    kind: Literal["percentage", "fixed"]
    value: Decimal
    currency: str = ""  # "" when valid in every currency
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    min_subtotal: Decimal = ZERO
    active: bool = True
    valid_from: datetime | None = None
    valid_until: datetime | None = None


@dataclass(slots=True, kw_only=True)
class Use:
    """The voucher use taken for one reference; ``held`` until released."""

    code: str
    email: str
    held: bool = True


def _shop_currencies() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(settings.SHOP_CURRENCIES)


def _max_line_quantity() -> int:
    from django.conf import settings

    return settings.CHECKOUT_MAX_LINE_QUANTITY


class FakePricing(Recording):
    """Implements ``contracts.pricing.PricingService``; ``currencies`` default to the shop's (``SHOP_CURRENCIES``)."""

    def __init__(self, *, currencies: Sequence[str] | None = None, now: object = None) -> None:
        super().__init__()
        self.currencies = tuple(currencies) if currencies is not None else _shop_currencies()
        self.prices: dict[tuple[str, str], Price] = {}
        self.vouchers: dict[str, FakeVoucher] = {}
        self.uses: dict[str, Use] = {}  # reference -> the use it took
        self.now = now or (lambda: datetime.now(UTC))

    # --- set-up --------------------------------------------------------------

    def price_set(
        self, sku: str, amount: Decimal | str, *, currency: str = "EUR", compare_at: Decimal | str | None = None
    ) -> Price:
        price = Price(
            sku=sku,
            currency=currency,
            amount=Decimal(amount),
            compare_at=Decimal(compare_at) if compare_at is not None else None,
        )
        self.prices[(sku, currency)] = price
        return price

    def price_remove(self, sku: str, *, currency: str = "EUR") -> None:
        self.prices.pop((sku, currency), None)

    def voucher_add(
        self, code: str, *, kind: Literal["percentage", "fixed"] = "percentage", value: Decimal | str | int = 10, **rules: object
    ) -> FakeVoucher:
        """Add the voucher ``code`` (upper case); ``rules`` are the other fields of ``FakeVoucher``."""
        if "min_subtotal" in rules:
            rules["min_subtotal"] = Decimal(str(rules["min_subtotal"]))
        voucher = FakeVoucher(code=code.upper(), kind=kind, value=Decimal(value), **rules)  # type: ignore[arg-type]
        self.vouchers[voucher.code] = voucher
        return voucher

    @property
    def redemptions(self) -> dict[str, str]:
        """Return the voucher code of every reference that holds a use."""
        return {reference: use.code for reference, use in self.uses.items() if use.held}

    # --- the contract --------------------------------------------------------

    def prices_get(self, *, skus: Sequence[str], currency: str) -> Mapping[str, Price]:
        skus = list(skus)  # a caller may hand over any iterable: read it once
        self._enter("prices_get", skus=tuple(skus), currency=currency)
        self._currency_check(currency)
        return {sku: self._price(sku, currency) for sku in skus if (sku, currency) in self.prices}

    def quote_create(
        self,
        *,
        currency: str,
        lines: Sequence[SkuQuantity],
        voucher_code: str | None = None,
        email: str | None = None,
    ) -> Quote:
        self._enter("quote_create", currency=currency, lines=tuple(lines), voucher_code=voucher_code, email=email)
        self._currency_check(currency)
        merged = _lines_merge(lines)
        missing = tuple(sorted(sku for sku in merged if (sku, currency) not in self.prices))
        if missing:
            raise PriceNotFound(skus=missing, currency=currency)
        unit = {sku: self._price(sku, currency).amount for sku in merged}
        gross = {sku: self._round(unit[sku] * quantity, currency) for sku, quantity in merged.items()}
        subtotal = sum(gross.values(), ZERO)
        voucher = None
        if voucher_code is not None and voucher_code.strip():
            voucher = self._voucher_check(self._voucher_find(voucher_code), currency=currency, subtotal=subtotal, email=email)
        shares = self._shares(voucher, gross, currency) if voucher else dict.fromkeys(gross, ZERO)
        quote_lines = tuple(
            QuoteLine(sku=sku, quantity=merged[sku], unit_price=unit[sku], discount=shares[sku], total=gross[sku] - shares[sku])
            for sku in merged
        )
        discount_total = sum(shares.values(), ZERO)
        return Quote(
            currency=currency,
            lines=quote_lines,
            subtotal=self._round(subtotal, currency),
            discount_total=self._round(discount_total, currency),
            total=self._round(subtotal - discount_total, currency),
            applied=(AppliedDiscount(kind="voucher", code=voucher.code, amount=self._round(discount_total, currency)),)
            if voucher
            else (),
            voucher_code=voucher.code if voucher else None,
        )

    def voucher_redeem(self, *, code: str, reference: str, email: str, currency: str, subtotal: Decimal) -> VoucherRedemption:
        self._enter("voucher_redeem", code=code, reference=reference, email=email, currency=currency, subtotal=subtotal)
        self._currency_check(currency)
        if not reference or len(reference) > 100:
            raise InvalidInput("A reference is 1 to 100 characters.", code="invalid_reference")
        email = email.strip().lower()
        voucher = self._voucher_find(code)
        use = self.uses.get(reference)
        if use is not None and use.held:
            if voucher is not None and use.code != voucher.code:
                raise Conflict(f"Order {reference} already redeemed another voucher.", code="voucher_reference_conflict")
            return VoucherRedemption(code=use.code, reference=reference, email=use.email)
        voucher = self._voucher_check(voucher, currency=currency, subtotal=subtotal, email=email)
        self.uses[reference] = Use(code=voucher.code, email=email)
        return VoucherRedemption(code=voucher.code, reference=reference, email=email)

    def voucher_release(self, *, reference: str) -> None:
        self._enter("voucher_release", reference=reference)
        use = self.uses.get(reference)
        if use is not None:
            use.held = False

    def personal_data_export(self, *, customer_id: int, email: str) -> PersonalData:
        self._enter("personal_data_export", customer_id=customer_id, email=email)
        email = email.strip().lower()
        records = tuple(
            {"voucher_code": use.code, "order_number": reference, "used": use.held}
            for reference, use in reversed(self.uses.items())
            if use.email == email
        )
        return PersonalData(module="pricing", records=records)

    # --- the module's rules, as the fake keeps them -----------------------------

    def _currency_check(self, currency: object) -> None:
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency) or currency not in self.currencies:
            shown = str(currency)[:16]
            raise UnknownCurrency(f"The shop does not sell in {shown!r}.", currency=shown)

    @staticmethod
    def _round(amount: Decimal, currency: str) -> Decimal:
        return amount.quantize(Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2)), rounding=ROUND_HALF_UP)

    def _price(self, sku: str, currency: str) -> Price:
        price = self.prices[(sku, currency)]
        compare_at = self._round(price.compare_at, currency) if price.compare_at is not None else None
        return Price(sku=sku, currency=currency, amount=self._round(price.amount, currency), compare_at=compare_at)

    def _voucher_find(self, code: str) -> FakeVoucher | None:
        normalized = code.strip().upper()
        if not normalized or len(normalized) > VOUCHER_CODE_MAX_LENGTH:
            return None
        return self.vouchers.get(normalized)

    def _times_used(self, voucher: FakeVoucher, email: str | None = None) -> int:
        return sum(
            1 for use in self.uses.values() if use.held and use.code == voucher.code and (email is None or use.email == email)
        )

    def _voucher_check(self, voucher: FakeVoucher | None, *, currency: str, subtotal: Decimal, email: str | None) -> FakeVoucher:
        now = self.now()
        if voucher is None:
            raise VoucherInvalid("No voucher has this code.", reason="unknown")
        if not voucher.active:
            raise VoucherInvalid(reason="inactive")
        if voucher.valid_from and now < voucher.valid_from:
            raise VoucherInvalid(reason="not_yet_valid")
        if voucher.valid_until and now >= voucher.valid_until:
            raise VoucherInvalid(reason="expired")
        if voucher.currency and voucher.currency != currency:
            raise VoucherInvalid(f"This voucher is valid for {voucher.currency} only.", reason="currency_mismatch")
        if voucher.usage_limit is not None and self._times_used(voucher) >= voucher.usage_limit:
            raise VoucherInvalid("This voucher has been used up.", reason="exhausted")
        if (
            email
            and voucher.per_customer_limit is not None
            and self._times_used(voucher, email.strip().lower()) >= voucher.per_customer_limit
        ):
            raise VoucherInvalid("You have already used this voucher.", reason="exhausted")
        if subtotal < voucher.min_subtotal:
            raise VoucherInvalid(reason="minimum_not_met")
        return voucher

    def _shares(self, voucher: FakeVoucher, remaining: dict[str, Decimal], currency: str) -> dict[str, Decimal]:
        """Return how much of the voucher each line bears; never more than the line costs."""
        if voucher.kind == "percentage":
            return {sku: min(self._round(left * voucher.value / 100, currency), left) for sku, left in remaining.items()}
        q = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
        left_units = {sku: int(left / q) for sku, left in remaining.items()}
        pool = sum(left_units.values())
        amount_units = min(int(self._round(voucher.value, currency) / q), pool)
        if amount_units == 0:
            return dict.fromkeys(remaining, ZERO)
        share_units = {sku: amount_units * units // pool for sku, units in left_units.items()}
        leftover = amount_units - sum(share_units.values())
        for sku in sorted(left_units, key=lambda sku: (-(amount_units * left_units[sku] % pool), sku))[:leftover]:
            share_units[sku] += 1
        return {sku: units * q for sku, units in share_units.items()}


def _lines_merge(lines: Sequence[SkuQuantity]) -> dict[str, int]:
    """Return quantity per SKU in first-seen order; raise ``InvalidInput`` naming every bad line."""
    maximum = _max_line_quantity()
    if len(lines) > QUOTE_MAX_LINES:
        raise InvalidInput(f"A quote has at most {QUOTE_MAX_LINES} lines.", code="too_many_lines")
    merged: dict[str, int] = {}
    problems: list[FieldProblem] = []
    for index, line in enumerate(lines):
        sku, quantity = line.sku, line.quantity
        if not sku_valid(sku):
            problems.append(FieldProblem(field=f"lines[{index}].sku", code="invalid_sku", detail=f"A SKU is {SKU_RULE}."))
            continue
        if type(quantity) is not int or not 1 <= quantity <= maximum or merged.get(sku, 0) + quantity > maximum:
            problems.append(
                FieldProblem(
                    field=f"lines[{index}].quantity", code="invalid_quantity", detail=f"A quantity is 1 to {maximum} per SKU."
                )
            )
            continue
        merged[sku] = merged.get(sku, 0) + quantity
    if problems:
        raise InvalidInput("Some lines are not valid.", code="invalid_lines", errors=tuple(problems))
    return merged
