"""Vouchers: finding one by code, and whether it is usable for a cart and a customer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from contracts.pricing import VoucherInvalid
from modules.pricing.emails import customer_email_key
from modules.pricing.models import (
    VOUCHER_CODE_MAX_LENGTH,
    Voucher,
    VoucherRedemption,
)
from modules.pricing.money import money_round


def voucher_find(*, code: str) -> Voucher | None:
    """Return the voucher entered as ``code`` (any case, surrounding spaces ignored), or None."""
    normalized = code.strip().upper()
    if not normalized or len(normalized) > VOUCHER_CODE_MAX_LENGTH:
        return None
    return Voucher.objects.filter(code=normalized).first()


def voucher_customer_uses(*, voucher: Voucher, email: str) -> int:
    """Return how many uses of ``voucher`` the customer ``email`` holds (reserved or confirmed)."""
    return (
        VoucherRedemption.objects.filter(voucher=voucher, email=customer_email_key(email))
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


def redemptions_of_email(*, email: str) -> list[VoucherRedemption]:
    """The voucher uses counted against ``email``'s mailbox (per-customer limits), newest first."""
    return list(VoucherRedemption.objects.filter(email=customer_email_key(email)).select_related("voucher").order_by("-created_at", "-id"))
