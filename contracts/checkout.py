"""Checkout contract: the orders it places, as facts other modules react to."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from contracts.errors import Conflict, ContractError, NotFound, ServiceUnavailable
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


class CartNotFound(NotFound):
    """No such cart."""

    code = "cart_not_found"


class OrderNotFound(NotFound):
    """No such order."""

    code = "order_not_found"


class CartCompleted(Conflict):
    """The cart was completed and can no longer change."""

    code = "cart_completed"


class ItemsUnavailable(Conflict):
    """Some lines are for products that are unpublished or discontinued; ``skus`` names them."""

    code = "items_unavailable"


class InvalidTransition(Conflict):
    """The order cannot move to that status from its current one."""

    code = "invalid_transition"


class RequestInProgress(Conflict):
    """A request with this Idempotency-Key is still running."""

    code = "request_in_progress"


class IdempotencyKeyReused(ContractError):
    """This Idempotency-Key was used with a different request body."""

    code = "idempotency_key_reused"


class PaymentDeclined(ContractError):
    """The payment was declined; nothing was charged and no stock is held."""

    code = "payment_declined"


class CheckoutIncomplete(ServiceUnavailable):
    """Completing failed and not everything done so far could be undone yet; retry with the same Idempotency-Key."""

    code = "checkout_incomplete"


class PaymentGatewayFailed(ServiceUnavailable):
    """The payment gateway failed; nothing was charged and no stock is held. Retry later."""

    code = "payment_gateway_error"
