"""Value types shared by several contracts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Money:
    """An amount in an ISO 4217 currency; never a float."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SkuQuantity:
    """A quantity of one SKU, as carts, quotes and reservations speak of it."""

    sku: str
    quantity: int
