"""Subscribers to checkout's events; idempotent (the services are, and the bus dedupes by inbox)."""

from __future__ import annotations

import logging

from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.errors import NotFound
from contracts.inventory import ReservationConflict
from modules.inventory.services.sales import order_stock_return, reservation_commit

logger = logging.getLogger(__name__)


def order_placed_commit(event: OrderPlaced) -> None:
    """Commit the order's reservation: the safety net when checkout stopped before its own synchronous commit.

    Already committed for this order is a no-op. No reservation, or one that
    was released or belongs to another order, is nothing this handler can
    mend: it is logged, not retried. ``OutOfStock`` is raised, so the delivery
    retries and finally dead-letters where an operator sees it.
    """
    if not event.reservation_reference:
        return
    try:
        reservation_commit(reference=event.reservation_reference, order_number=event.order_number)
    except (NotFound, ReservationConflict) as error:
        logger.warning("order %s: reservation %s not committed: %s", event.order_number, event.reservation_reference, error)


def order_cancelled_return(event: OrderCancelled) -> None:
    """Put the stock of the cancelled order back; a second delivery changes nothing."""
    order_stock_return(order_number=event.order_number)
