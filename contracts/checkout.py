"""Checkout contract: the orders it places, as facts other modules react to."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from contracts.errors import NotFound
from contracts.events import Event
from contracts.personal_data import PersonalData

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


@dataclass(frozen=True, slots=True, kw_only=True)
class CartTotal:
    """What a cart costs now, as completing it would charge (pricing's quote of its lines and voucher)."""

    token: str
    currency: str
    total: Decimal


class CheckoutService(Protocol):
    def order_get(self, *, number: str) -> OrderSummary:
        """Return the order ``number``; raises ``NotFound``."""
        ...

    def cart_total_get(self, *, token: str, email: str | None = None) -> CartTotal:
        """Return what completing the cart ``token`` would charge now (``email`` for per-customer voucher rules).

        Raises ``CartNotFound``, ``InvalidInput`` (empty cart), ``Conflict`` (completed, items unavailable),
        and pricing's errors.
        """
        ...

    def personal_data_export(self, *, customer_id: int, email: str) -> PersonalData:
        """Return the orders of the customer as their export shows them (order documents, newest first)."""
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


class CartNotFound(NotFound):
    """No such cart."""

    code = "cart_not_found"


class OrderNotFound(NotFound):
    """No such order."""

    code = "order_not_found"
