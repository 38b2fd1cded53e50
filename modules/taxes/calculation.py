"""The tax of a cart, as the contract answers it: the call checked, then the configured provider asked."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from contracts.addresses import Address
from contracts.errors import FieldProblem, InvalidInput
from contracts.money import ISO_MINOR_UNITS
from contracts.pricing import UnknownCurrency
from contracts.taxes import TAX_CLASSES, TaxableLine, TaxBreakdown
from kernel.addresses import address_normalize
from modules.taxes.providers import tax_provider

MAX_LINES = 1000


def _amount_ok(amount: object, places: int) -> bool:
    return (
        isinstance(amount, Decimal)
        and amount.is_finite()
        and amount >= 0
        and amount == amount.quantize(Decimal(1).scaleb(-places))
    )


def tax_calculate(
    *, address: Address, currency: str, lines: Sequence[TaxableLine], shipping_amount: Decimal | None = None
) -> TaxBreakdown:
    """Check the call, then return the provider's breakdown (prices include tax as ``TAX_PRICES_INCLUDE_TAX`` says).

    The provider gets the destination normalized (region as its code), whatever the caller sent.
    """
    if not isinstance(currency, str) or currency not in settings.SHOP_CURRENCIES or currency not in ISO_MINOR_UNITS:
        raise UnknownCurrency(f"The shop does not sell in {currency!r}.")
    places = ISO_MINOR_UNITS[currency]
    # The destination decides the rates: checked and normalized as shipping does it ("California" is "CA").
    address = address_normalize(address, destination_only=True)
    problems: list[FieldProblem] = []
    if not isinstance(lines, Sequence) or isinstance(lines, str) or len(lines) > MAX_LINES:
        problems.append(FieldProblem(field="lines", code="invalid", detail=f"A list of at most {MAX_LINES} lines."))
    else:
        for i, line in enumerate(lines):
            if not isinstance(line, TaxableLine) or not isinstance(line.key, str) or not line.key:
                problems.append(FieldProblem(field=f"lines.{i}.key", code="invalid", detail="A line key."))
            elif line.tax_class not in TAX_CLASSES:
                problems.append(
                    FieldProblem(field=f"lines.{i}.tax_class", code="invalid", detail=f"One of {', '.join(TAX_CLASSES)}.")
                )
            elif not _amount_ok(line.amount, places):
                problems.append(
                    FieldProblem(field=f"lines.{i}.amount", code="invalid", detail=f"0 or more, at most {places} decimals.")
                )
    if shipping_amount is not None and not _amount_ok(shipping_amount, places):
        problems.append(FieldProblem(field="shipping_amount", code="invalid", detail=f"0 or more, at most {places} decimals."))
    if problems:
        raise InvalidInput("The tax request is not valid.", errors=tuple(problems))
    return tax_provider().calculate(
        address=address,
        currency=currency,
        lines=tuple(lines),
        shipping_amount=shipping_amount,
        prices_include_tax=settings.TAX_PRICES_INCLUDE_TAX,
    )
