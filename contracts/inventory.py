"""Inventory contract: how many of each SKU can still be sold, and holding them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from contracts.common import SkuQuantity
from contracts.errors import Conflict, ServiceUnavailable
from contracts.events import Event, event_former_name


@dataclass(frozen=True, slots=True, kw_only=True)
class Availability:
    sku: str
    available: int  # on hand minus active holds, never negative; 0 for unknown SKUs

    @property
    def in_stock(self) -> bool:
        return self.available > 0


ReservationState = Literal["active", "committed", "released", "expired"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    reference: str
    state: ReservationState
    expires_at: datetime
    lines: tuple[SkuQuantity, ...]  # one per SKU, quantities summed


@dataclass(frozen=True, slots=True, kw_only=True)
class Shortage:
    sku: str
    requested: int
    available: int


class OutOfStock(Conflict):
    """Some lines cannot be held; ``shortages`` lists each short SKU with what is available."""

    code = "out_of_stock"
    shortages: tuple[Shortage, ...]

    def __init__(self, detail: str = "", *, shortages: tuple[Shortage, ...]) -> None:
        super().__init__(
            detail or "Not enough stock for: " + ", ".join(s.sku for s in shortages),
            shortages=[{"sku": s.sku, "requested": s.requested, "available": s.available} for s in shortages],
        )
        self.shortages = shortages


class ReservationConflict(Conflict):
    """The reservation is in a state that forbids this (committed elsewhere, released, different lines).

    ``code`` says which: ``reservation_committed``, ``reservation_released``
    or ``reservation_mismatch``.
    """

    code = "reservation_conflict"


class InventoryBusy(ServiceUnavailable):
    """The stock is locked by other writers for too long; nothing changed, try again shortly."""

    code = "inventory_busy"


class InventoryService(Protocol):
    def availability_get(self, *, skus: Sequence[str]) -> Mapping[str, Availability]:
        """Return availability of every SKU asked for, in one call (unknown SKUs are 0)."""
        ...

    def reservation_create(
        self, *, reference: str, lines: Sequence[SkuQuantity], ttl_seconds: int | None = None
    ) -> Reservation:
        """Hold all ``lines`` for ``reference`` until committed, released or expired; all or none.

        Idempotent: an active reservation for ``reference`` is returned as is.
        Raises ``OutOfStock`` (an unknown SKU is short with 0 available), ``InvalidInput``,
        ``ReservationConflict`` (same reference with other lines, or already committed), ``InventoryBusy``.
        """
        ...

    def reservation_release(self, *, reference: str) -> None:
        """Stop holding the stock of ``reference``; idempotent, a no-op when nothing is held."""
        ...

    def reservation_commit(self, *, reference: str, order_number: str) -> Reservation:
        """Turn the hold into sales for ``order_number``; idempotent.

        An expired hold commits only while the stock is still there, else ``OutOfStock``.
        Raises ``NotFound`` when there never was a reservation for ``reference``,
        ``ReservationConflict`` when it was released or committed for another order, ``InventoryBusy``.
        """
        ...

    def order_stock_return(self, *, order_number: str) -> None:
        """Put back the stock sold to a cancelled order; idempotent."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReserved(Event):
    name = "inventory.StockReserved"
    publisher = "inventory"

    reference: str
    lines: tuple[SkuQuantity, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReleased(Event):
    name = "inventory.StockReleased"
    publisher = "inventory"

    reference: str
    lines: tuple[SkuQuantity, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutOfStockReached(Event):
    """Available stock of ``sku`` dropped to zero.

    Named apart from the ``OutOfStock`` error on the wire too: an event is a
    fact ("it reached zero"), the error a refusal ("not enough for this").
    """

    name = "inventory.OutOfStockReached"
    publisher = "inventory"

    sku: str


# Outbox rows written before the rename still deliver.
event_former_name(former="inventory.OutOfStock", current=OutOfStockReached)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackInStock(Event):
    name = "inventory.BackInStock"
    publisher = "inventory"

    sku: str
    available: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LowStock(Event):
    name = "inventory.LowStock"
    publisher = "inventory"

    sku: str
    available: int
    threshold: int
