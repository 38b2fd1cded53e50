"""Implements ``contracts.taxes.TaxesService``: it delegates; the breakdown is already a contract dataclass."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from contracts.addresses import Address
from contracts.taxes import TaxableLine, TaxBreakdown
from modules.taxes import calculation


class TaxesFacade:
    """The taxes module as other modules see it."""

    def tax_calculate(
        self,
        *,
        address: Address,
        currency: str,
        lines: Sequence[TaxableLine],
        shipping_amount: Decimal | None = None,
    ) -> TaxBreakdown:
        return calculation.tax_calculate(address=address, currency=currency, lines=lines, shipping_amount=shipping_amount)
