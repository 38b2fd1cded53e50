"""Value types shared by several contracts."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The one SKU rule every module holds SKUs to: 1 to 64 letters, digits, '.', '_' and '-', starting and ending
# with a letter or digit. Case is kept and matters ("tee-m" is not "TEE-M").
SKU_MAX_LENGTH = 64
SKU_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z"
SKU_RULE = "1 to 64 letters, digits, '.', '_' and '-', starting and ending with a letter or digit"
_SKU = re.compile(SKU_PATTERN)


def sku_valid(sku: object) -> bool:
    """Say whether ``sku`` is a well-formed SKU (whether it exists is the catalog's to say)."""
    return isinstance(sku, str) and len(sku) <= SKU_MAX_LENGTH and _SKU.match(sku) is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class SkuQuantity:
    """A quantity of one SKU, as carts, quotes and reservations speak of it."""

    sku: str
    quantity: int
