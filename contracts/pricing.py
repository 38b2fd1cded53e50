"""Pricing contract: every amount a customer sees or pays comes from here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from contracts.common import SkuQuantity
from contracts.errors import InvalidInput
from contracts.events import Event
from contracts.personal_data import PersonalData


@dataclass(frozen=True, slots=True, kw_only=True)
class Price:
    """The current unit price of one SKU in one currency."""

    sku: str
    currency: str
    amount: Decimal
    compare_at: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteLine:
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal  # total discount on this line (all units), never more than quantity * unit_price
    total: Decimal  # quantity * unit_price - discount


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedDiscount:
    """One promotion or voucher that changed the quote, and by how much in all."""

    kind: Literal["promotion", "voucher"]
    code: str  # the voucher code, or the promotion's name
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """Server-computed prices of a set of lines.

    Invariant: ``total == subtotal - discount_total``, ``subtotal`` is the sum
    of ``quantity * unit_price``, and nothing is negative.
    """

    currency: str
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    applied: tuple[AppliedDiscount, ...] = ()
    voucher_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VoucherRedemption:
    code: str
    reference: str
    email: str


class UnknownCurrency(InvalidInput):
    """The shop does not sell in this currency."""

    code = "unknown_currency"


class PriceNotFound(InvalidInput):
    """Some SKUs are unknown or have no price in this currency; ``skus`` names them."""

    code = "price_not_found"
    skus: tuple[str, ...]
    currency: str

    def __init__(self, detail: str = "", *, skus: tuple[str, ...], currency: str) -> None:
        super().__init__(detail or f"No price in {currency} for: {', '.join(skus)}", skus=list(skus), currency=currency)
        self.skus = skus
        self.currency = currency


VoucherReason = Literal[
    "unknown", "expired", "not_yet_valid", "exhausted", "minimum_not_met", "inactive", "currency_mismatch"
]


class VoucherInvalid(InvalidInput):
    """The voucher cannot be used; ``reason`` says why and the code is ``voucher_<reason>``."""

    code = "voucher_invalid"
    reason: str

    def __init__(self, detail: str = "", *, reason: VoucherReason) -> None:
        super().__init__(detail or f"Voucher is {reason.replace('_', ' ')}.", code=f"voucher_{reason}", reason=reason)
        self.reason = reason


class PricingService(Protocol):
    def prices_get(self, *, skus: Sequence[str], currency: str) -> Mapping[str, Price]:
        """Return current unit prices of ``skus``; SKUs without a price are absent.

        Raises ``UnknownCurrency``.
        """
        ...

    def quote_create(
        self,
        *,
        currency: str,
        lines: Sequence[SkuQuantity],
        voucher_code: str | None = None,
        email: str | None = None,
    ) -> Quote:
        """Price ``lines`` with promotions and the voucher.

        Raises ``UnknownCurrency``, ``PriceNotFound``, ``VoucherInvalid``, ``InvalidInput``.
        """
        ...

    def voucher_redeem(
        self, *, code: str, reference: str, email: str, currency: str, subtotal: Decimal
    ) -> VoucherRedemption:
        """Use the voucher once for ``reference`` (an order number); idempotent per reference.

        Raises ``VoucherInvalid`` (e.g. ``exhausted`` when the last use was taken concurrently).
        """
        ...

    def voucher_release(self, *, reference: str) -> None:
        """Give back the use taken for ``reference``; idempotent, a no-op when none was taken."""
        ...

    def personal_data_export(self, *, customer_id: int, email: str) -> PersonalData:
        """Return the voucher uses counted against ``email`` (per-customer limits), newest first."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceChanged(Event):
    name = "pricing.PriceChanged"
    publisher = "pricing"

    sku: str
    currency: str
    amount: Decimal | None  # None when the price was removed
    compare_at: Decimal | None = None
