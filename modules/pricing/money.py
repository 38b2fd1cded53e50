"""Money rules of the shop: which currencies it sells in, their decimals, and the one rounding rule.

Amounts are ``Decimal`` with an ISO 4217 currency, never a float. Every
amount pricing stores has at most as many decimals as its currency's minor
unit, and every amount pricing computes is rounded to that minor unit with
``ROUND_HALF_UP`` once per line (see ``modules.pricing.calculator``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from contracts.money import ISO_MINOR_UNITS, minor_units
from contracts.pricing import UnknownCurrency

ROUNDING = ROUND_HALF_UP

# Stored amounts fit DecimalField(max_digits=15, decimal_places=3) with room for the 3 decimals of KWD.
MAX_AMOUNT = Decimal("999999999999")

_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_AMOUNT_RE = re.compile(r"-?\d{1,15}(\.\d{1,12})?")


def currency_check(currency: object) -> str:
    """Return ``currency`` when the shop sells in it; raise ``UnknownCurrency`` otherwise.

    Codes are exact: three uppercase letters, configured in ``SHOP_CURRENCIES``
    and known to ``ISO_MINOR_UNITS``. ``"eur"`` is refused, not corrected, so a
    client bug shows up at once instead of being papered over.
    """
    if (
        not isinstance(currency, str)
        or not _CURRENCY_RE.fullmatch(currency)
        or currency not in settings.SHOP_CURRENCIES
        or currency not in ISO_MINOR_UNITS
    ):
        shown = str(currency)[:16]
        raise UnknownCurrency(
            f"The shop does not sell in {shown!r}; use one of: {', '.join(settings.SHOP_CURRENCIES)}.",
            currency=shown,
        )
    return currency


def quantum(currency: str) -> Decimal:
    """Return the smallest amount of ``currency`` (``Decimal("0.01")`` for EUR)."""
    return Decimal(1).scaleb(-minor_units(currency))


def money_round(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to the minor unit of ``currency``, half up: the shop's one rounding rule."""
    return amount.quantize(quantum(currency), rounding=ROUNDING)


def amount_problem(amount: Decimal, *, currency: str) -> str | None:
    """Return why ``amount`` cannot be stored as a price in ``currency``, or None when it can."""
    if not amount.is_finite():
        return "Enter a finite decimal number."
    if amount < 0:
        return "An amount must not be negative."
    if amount > MAX_AMOUNT:
        return f"An amount must be at most {MAX_AMOUNT}."
    if amount != amount.quantize(quantum(currency)):  # "19.900" is fine for EUR, "19.905" is not
        return f"{currency} amounts have at most {minor_units(currency)} decimals."
    return None


def amount_parse(raw: str) -> Decimal | None:
    """Return the decimal written in ``raw`` (``"19.90"``), or None when it is not a plain decimal.

    Plain means digits with an optional point and sign: no exponent, no NaN or
    Infinity, no thousands separator, so what a spreadsheet shows is what is stored.
    """
    text = raw.strip()
    return Decimal(text) if _AMOUNT_RE.fullmatch(text) else None
