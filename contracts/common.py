"""Value types shared by several contracts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class SkuQuantity:
    """A quantity of one SKU, as carts, quotes and reservations speak of it."""

    sku: str
    quantity: int
