"""Shipping contract: which delivery methods reach an address, and what each costs for a cart.

The caller (checkout) states the cart as shipping needs it: the address, the
currency, the goods subtotal (after discounts) and the lines with the weight
of one unit each, taken from the catalog. Shipping owns zones, methods and
rates; it never asks another module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from contracts.addresses import Address
from contracts.errors import FieldProblem, InvalidInput

RateBasis = Literal["flat", "subtotal", "weight"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippableLine:
    """One cart line as shipping sees it: ``weight_grams`` is one unit's weight, None when the catalog has none."""

    sku: str
    quantity: int
    weight_grams: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingMethodOption:
    """A delivery method that reaches the address, priced for the cart.

    ``id`` is the method's stable code, what a cart stores and completion
    quotes again. ``price`` is in ``currency``, in the shop's price style
    (gross when catalog prices include tax): tax on it is the taxes module's.
    """

    id: str
    name: str
    carrier: str
    zone: str
    basis: RateBasis
    price: Decimal
    currency: str
    delivery_days_min: int | None = None
    delivery_days_max: int | None = None


class ShippingMethodUnavailable(InvalidInput):
    """This shipping method does not deliver this cart to this address (another zone, currency or band)."""

    code = "shipping_method_unavailable"
    method_id: str

    def __init__(self, detail: str = "", *, method_id: str, field: str = "shipping_method") -> None:
        detail = detail or f"The shipping method {method_id!r} does not deliver this cart to this address."
        super().__init__(
            detail,
            errors=(FieldProblem(field=field, code="shipping_method_unavailable", detail=detail),),
            method_id=method_id,
        )
        self.method_id = method_id


class ShippingWeightMissing(InvalidInput):
    """A weight-based rate needs the weight of every line, and some SKUs have none; ``skus`` names them."""

    code = "weight_missing"
    skus: tuple[str, ...]

    def __init__(self, detail: str = "", *, skus: tuple[str, ...]) -> None:
        skus = tuple(skus)
        detail = detail or f"No weight is recorded for {', '.join(skus)}: a weight-based shipping rate needs it."
        super().__init__(
            detail,
            errors=tuple(
                FieldProblem(field=f"lines.{sku}.weight_grams", code="weight_missing", detail=f"{sku} has no weight.")
                for sku in skus
            ),
            skus=skus,
        )
        self.skus = skus


class ShippingService(Protocol):
    def methods_available(
        self, *, address: Address, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]
    ) -> tuple[ShippingMethodOption, ...]:
        """Return the active methods that deliver to ``address`` in ``currency``, each priced for the cart, cheapest first.

        Only the destination is read and checked (``kernel.addresses``,
        ``destination_only``): the country is required, the region and postal
        code are checked when given (``InvalidInput`` naming the field), so a
        storefront may ask with a country alone. The whole address is the
        caller's to check (``address_normalize``) before it takes an order.
        Methods with no rate for the currency, or whose bands do not cover the
        cart, are left out. Raises ``ShippingWeightMissing`` when a
        weight-based method would apply and a line has no weight (never a
        silent zero), ``UnknownCurrency`` (pricing's) for a currency the shop
        does not sell in.
        """
        ...

    def method_quote(
        self,
        *,
        method_id: str,
        address: Address,
        currency: str,
        subtotal: Decimal,
        lines: Sequence[ShippableLine],
    ) -> ShippingMethodOption:
        """Return ``method_id`` priced for the cart, or raise ``ShippingMethodUnavailable`` when it no longer applies.

        Same inputs, validation and errors as ``methods_available``: what a
        cart showed is what completing charges, unless the shop changed it.
        """
        ...
