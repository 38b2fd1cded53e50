"""Checkout contract: the orders it places, as facts other modules react to."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from contracts.errors import NotFound
from contracts.events import Event

OrderStatus = Literal["placed", "paid", "cancelled", "fulfilled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSummary:
    number: str
    status: OrderStatus
    email: str
    currency: str
    total: Decimal
    lines: tuple[OrderLine, ...]


class CheckoutService(Protocol):
    def order_get(self, *, number: str) -> OrderSummary:
        """Return the order ``number``; raises ``NotFound``."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPlaced(Event):
    name = "checkout.OrderPlaced"
    publisher = "checkout"

    order_number: str
    reservation_reference: str
    email: str
    currency: str
    lines: tuple[OrderLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    voucher_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCancelled(Event):
    name = "checkout.OrderCancelled"
    publisher = "checkout"

    order_number: str
    voucher_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFulfilled(Event):
    name = "checkout.OrderFulfilled"
    publisher = "checkout"

    order_number: str


class OrderNotFound(NotFound):
    """No such order."""

    code = "order_not_found"
