"""Limits and input checks shared by every inventory write; all of them run before any lock is taken."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from contracts.common import SKU_MAX_LENGTH, SKU_RULE, SkuQuantity, sku_valid
from contracts.container import services
from contracts.errors import FieldProblem, InvalidInput
from modules.inventory import selectors
from modules.inventory.models import REFERENCE_MAX_LENGTH

# One line of one reservation, receipt or adjustment; more is a typo or an attack, never a real order.
QUANTITY_MAX = 1_000_000
# On-hand of one SKU in one warehouse; keeps every sum far inside a 32-bit column.
ON_HAND_MAX = 1_000_000_000
RESERVATION_LINES_MAX = 500
TTL_MAX_SECONDS = 7 * 24 * 60 * 60


def problem(field: str, code: str, detail: str) -> InvalidInput:
    """Return the ``InvalidInput`` naming one bad field."""
    return InvalidInput(f"{field}: {detail}", errors=(FieldProblem(field=field, code=code, detail=detail),))


def text_check(value: object, *, field: str, max_length: int) -> str:
    """Return ``value`` if it is a non-empty string of at most ``max_length`` without surrounding spaces."""
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise problem(field, "invalid", "Must be a non-empty string without surrounding spaces.")
    if len(value) > max_length:
        raise problem(field, "too_long", f"At most {max_length} characters.")
    return value


def reference_check(value: object, *, field: str = "reference") -> str:
    """Return ``value`` if it can be a reservation reference or an order number."""
    return text_check(value, field=field, max_length=REFERENCE_MAX_LENGTH)


def quantity_check(value: object, *, field: str, minimum: int, maximum: int) -> int:
    """Return ``value`` if it is a whole number in ``minimum..maximum``; never rounds."""
    # bool is an int in Python; a fractional or textual quantity is refused, never rounded.
    if isinstance(value, bool) or not isinstance(value, int):
        raise problem(field, "invalid_quantity", "Must be a whole number.")
    if not minimum <= value <= maximum:
        raise problem(field, "invalid_quantity", f"Must be between {minimum} and {maximum}.")
    return value


def lines_normalize(lines: object) -> dict[str, int]:
    """Return the wanted quantity per SKU, sorted by SKU; the same SKU twice counts twice."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence) or not lines:
        raise problem("lines", "required", "At least one line is required.")
    if len(lines) > RESERVATION_LINES_MAX:
        raise problem("lines", "too_many", f"At most {RESERVATION_LINES_MAX} lines.")
    wanted: dict[str, int] = defaultdict(int)
    for index, line in enumerate(lines):
        if not isinstance(line, SkuQuantity):
            raise problem(f"lines[{index}]", "invalid", "Must be a SkuQuantity.")
        sku = text_check(line.sku, field=f"lines[{index}].sku", max_length=SKU_MAX_LENGTH)
        wanted[sku] += quantity_check(line.quantity, field=f"lines[{index}].quantity", minimum=1, maximum=QUANTITY_MAX)
    for sku, quantity in wanted.items():
        if quantity > QUANTITY_MAX:
            raise problem("lines", "invalid_quantity", f"{sku}: at most {QUANTITY_MAX} in all.")
    return dict(sorted(wanted.items()))


def sku_check(value: object, *, field: str) -> str:
    """Return ``value`` if it has the shape of a SKU."""
    sku = text_check(value, field=field, max_length=SKU_MAX_LENGTH)
    if not sku_valid(sku):
        raise problem(field, "invalid_sku", f"A SKU is {SKU_RULE}.")
    return sku


def skus_unknown_get(*, skus: Iterable[str]) -> set[str]:
    """Return the SKUs the catalog does not know; called before any transaction, never under a lock."""
    unknown: set[str] = set()
    for chunk in selectors.chunks(skus):
        known = services().catalog.variants_get(skus=chunk)
        unknown.update(sku for sku in chunk if sku not in known)
    return unknown
