"""Implements ``contracts.shipping.ShippingService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from contracts.addresses import Address
from contracts.shipping import ShippableLine, ShippingMethodOption
from kernel.money import money_amount
from modules.shipping import quoting
from modules.shipping.models import ShippingMethod


def to_option(method: ShippingMethod, price: Decimal, currency: str) -> ShippingMethodOption:
    return ShippingMethodOption(
        id=method.code,
        name=method.name,
        carrier=method.carrier,
        zone=method.zone.name,
        basis=method.basis,  # type: ignore[arg-type]
        price=money_amount(price, currency),
        currency=currency,
        delivery_days_min=method.delivery_days_min,
        delivery_days_max=method.delivery_days_max,
    )


class ShippingFacade:
    """The shipping module as other modules see it."""

    def methods_available(
        self, *, address: Address, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]
    ) -> tuple[ShippingMethodOption, ...]:
        _, priced = quoting.methods_available(address=address, currency=currency, subtotal=subtotal, lines=lines)
        return tuple(to_option(method, price, currency) for method, price in priced)

    def method_quote(
        self,
        *,
        method_id: str,
        address: Address,
        currency: str,
        subtotal: Decimal,
        lines: Sequence[ShippableLine],
    ) -> ShippingMethodOption:
        method, price = quoting.method_quote(
            method_id=method_id, address=address, currency=currency, subtotal=subtotal, lines=lines
        )
        return to_option(method, price, currency)
