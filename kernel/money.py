"""Amounts as people read them: in the currency's minor units with its code (``9.99 EUR``, ``500 JPY``).

Stored amounts carry the three decimals the widest currency needs
(``9.990``); every admin page, export and message shows them through
``money_display`` so an amount reads the same everywhere. The decimals of a
currency come from ``contracts.money``, the one table of them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import admin

from contracts.money import ISO_MINOR_UNITS

EMPTY = "—"


def money_amount(amount: Decimal | int | str, currency: str | None) -> Decimal:
    """Return ``amount`` with exactly the decimals of ``currency`` (``9.990`` EUR → ``9.99``), for exports.

    More decimals than the currency has are rounded half up (what the shop's
    rounding rule would have made of them); an unknown currency keeps the
    amount's own digits, trailing zeros dropped, rather than guess.
    """
    value = Decimal(str(amount))
    places = ISO_MINOR_UNITS.get((currency or "").upper())
    if places is None:
        value = value.normalize()
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(value) if value == 0 else value  # never -0.00


def money_display(amount: Decimal | int | str | None, currency: str | None) -> str:
    """Return ``amount`` in the minor units of ``currency``, then its code: ``9.990, "EUR"`` → ``9.99 EUR``."""
    if amount is None or amount == "":
        return EMPTY
    return f"{money_amount(amount, currency):f} {(currency or '').upper()}".strip()


def money_column(
    field: str,
    *,
    currency: str | Callable[[Any], str | None] = "currency",
    description: str | None = None,
) -> Callable[[Any], str]:
    """Return an admin column (``list_display``/``readonly_fields``) showing ``obj.<field>`` with ``money_display``.

    ``currency`` names the object's currency field or is a function of the
    object (an order line reads its order's). The column sorts by ``field``.
    """
    currency_of = currency if callable(currency) else (lambda obj: getattr(obj, currency, None))

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def show(obj: Any) -> str:
        return money_display(getattr(obj, field), currency_of(obj))

    show.__name__ = f"{field}_money"
    return show
