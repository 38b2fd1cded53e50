"""Reads of the pricing module: current prices, active promotions, usable vouchers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from contracts.pricing import VoucherInvalid
from modules.pricing.money import money_round
from modules.pricing.models import (
    VOUCHER_CODE_MAX_LENGTH,
    Price,
    PriceList,
    PriceListItem,
    Promotion,
    Voucher,
    VoucherRedemption,
    window_q,
)

# Keeps every IN (...) well under SQLite's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentPrice:
    sku: str
    amount: Decimal
    compare_at: Decimal | None


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def prices_listed(*, skus: Sequence[str], currency: str, now: datetime) -> dict[str, Decimal]:
    """Return the winning price-list amount of each of ``skus`` in ``currency`` at ``now``; unlisted SKUs are absent.

    The valid list with the lowest priority number wins, then the older list
    (lower id). One query per 500 SKUs.
    """
    listed: dict[str, Decimal] = {}
    for chunk in _chunks(list(dict.fromkeys(skus))):
        items = (
            PriceListItem.objects.filter(sku__in=chunk, currency=currency)
            .filter(price_list__in=PriceList.objects.filter(window_q(now)).values("pk"))
            .order_by("-price_list__priority", "-price_list_id")
            .values_list("sku", "amount")
        )
        # Ordered worst first, so the winning list's amount is written last.
        listed.update(items)
    return listed


def price_effective(
    *, sku: str, amount: Decimal | None, compare_at: Decimal | None, listed: Decimal | None
) -> CurrentPrice | None:
    """Return what a customer sees for ``sku``: the list price over the base price (``amount``), or None.

    Under a list price, ``compare_at`` is the base price's ``compare_at`` or
    else the base amount, shown only when above the list price.
    """
    if listed is not None:
        was = compare_at or amount
        return CurrentPrice(sku=sku, amount=listed, compare_at=was if was and was > listed else None)
    if amount is not None:
        return CurrentPrice(sku=sku, amount=amount, compare_at=compare_at)
    return None


def prices_current(*, skus: Sequence[str], currency: str, now: datetime) -> dict[str, CurrentPrice]:
    """Return the price of each of ``skus`` in ``currency`` at ``now``; SKUs without one are absent.

    A valid price list overrides the base price (see ``prices_listed`` and
    ``price_effective``). Two queries per 500 SKUs.
    """
    unique = list(dict.fromkeys(skus))
    base: dict[str, Price] = {}
    for chunk in _chunks(unique):
        base.update((p.sku, p) for p in Price.objects.filter(sku__in=chunk, currency=currency))
    listed = prices_listed(skus=unique, currency=currency, now=now)
    result: dict[str, CurrentPrice] = {}
    for sku in unique:
        base_price = base.get(sku)
        current = price_effective(
            sku=sku,
            amount=base_price.amount if base_price else None,
            compare_at=base_price.compare_at if base_price else None,
            listed=listed.get(sku),
        )
        if current is not None:
            result[sku] = current
    return result


def prices_effective(*, keys: Iterable[tuple[str, str]], now: datetime) -> dict[tuple[str, str], CurrentPrice]:
    """Return the price at ``now`` of each ``(sku, currency)`` of ``keys`` that has one."""
    by_currency: dict[str, list[str]] = {}
    for sku, currency in keys:
        by_currency.setdefault(currency, []).append(sku)
    return {
        (sku, currency): price
        for currency, skus in sorted(by_currency.items())
        for sku, price in prices_current(skus=skus, currency=currency, now=now).items()
    }


def promotions_active(*, currency: str, now: datetime) -> list[Promotion]:
    """Return the promotions valid at ``now`` that apply to quotes in ``currency``, oldest first."""
    return list(Promotion.objects.filter(window_q(now)).filter(Q(currency="") | Q(currency=currency)).order_by("id"))


def voucher_find(*, code: str) -> Voucher | None:
    """Return the voucher entered as ``code`` (any case, surrounding spaces ignored), or None."""
    normalized = code.strip().upper()
    if not normalized or len(normalized) > VOUCHER_CODE_MAX_LENGTH:
        return None
    return Voucher.objects.filter(code=normalized).first()


def voucher_customer_uses(*, voucher: Voucher, email: str) -> int:
    """Return how many uses of ``voucher`` the customer ``email`` holds (reserved or confirmed)."""
    return (
        VoucherRedemption.objects.filter(voucher=voucher, email=email.strip().lower())
        .exclude(state=VoucherRedemption.State.RELEASED)
        .count()
    )


def voucher_check(
    *, voucher: Voucher | None, currency: str, subtotal: Decimal, email: str | None, now: datetime
) -> Voucher:
    """Return ``voucher`` when it can be used now for this subtotal and customer; raise ``VoucherInvalid`` otherwise.

    ``subtotal`` is the quote's subtotal (before any discount): the minimum
    applies to what the goods cost, as the customer sees it in the cart.
    """
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
    if voucher.usage_limit is not None and voucher.times_used >= voucher.usage_limit:
        raise VoucherInvalid("This voucher has been used up.", reason="exhausted")
    if (
        email
        and voucher.per_customer_limit is not None
        and voucher_customer_uses(voucher=voucher, email=email) >= voucher.per_customer_limit
    ):
        raise VoucherInvalid("You have already used this voucher.", reason="exhausted")
    if subtotal < voucher.min_subtotal:
        raise VoucherInvalid(
            f"This voucher needs a subtotal of at least {money_round(voucher.min_subtotal, voucher.currency)} {voucher.currency}.",
            reason="minimum_not_met",
        )
    return voucher
