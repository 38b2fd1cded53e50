"""Implements ``contracts.pricing.PricingService``: maps and delegates to pricing's selectors and services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from contracts.common import SkuQuantity
from contracts.personal_data import PersonalData
from contracts.pricing import Price, Quote, VoucherRedemption
from modules.pricing import services as pricing_services
from modules.pricing.models import VoucherRedemption as RedemptionRow
from modules.pricing.selectors import prices, quotes, vouchers


class PricingFacade:
    """Prices, quotes and voucher uses for the other modules; amounts are rounded to the currency."""

    def prices_get(self, *, skus: Sequence[str], currency: str) -> Mapping[str, Price]:
        """Return current unit prices of ``skus``; SKUs without a price are absent. Raises ``UnknownCurrency``."""
        return prices.prices_get(skus=skus, currency=currency)

    def quote_create(
        self,
        *,
        currency: str,
        lines: Sequence[SkuQuantity],
        voucher_code: str | None = None,
        email: str | None = None,
    ) -> Quote:
        """Price ``lines`` with promotions and the voucher (see ``quotes.quote_compute``); nothing is stored.

        Raises ``UnknownCurrency``, ``InvalidInput`` (field errors per line),
        ``PriceNotFound`` (naming every SKU without a price) and ``VoucherInvalid``.
        """
        return quotes.quote_compute(currency=currency, lines=lines, voucher_code=voucher_code, email=email)

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

    def personal_data_export(self, *, customer_id: int, email: str) -> PersonalData:
        """The voucher uses counted against the customer's email."""
        records = tuple(
            {"voucher_code": use.voucher.code, "order_number": use.reference, "used": use.holds_use}
            for use in vouchers.redemptions_of_email(email=email)
        )
        return PersonalData(module="pricing", records=records)


def _to_redemption(row: RedemptionRow) -> VoucherRedemption:
    return VoucherRedemption(code=row.voucher.code, reference=row.reference, email=row.email)
