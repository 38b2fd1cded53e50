"""Implements ``contracts.inventory.InventoryService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.errors import FieldProblem, InvalidInput
from contracts.inventory import Availability, Reservation, ReservationState
from modules.inventory import models as m
from modules.inventory import selectors
from modules.inventory.services.reservations import reservation_create, reservation_release
from modules.inventory.services.sales import order_stock_return, reservation_commit


def _to_reservation(reservation: m.Reservation) -> Reservation:
    state: ReservationState = reservation.state_at(timezone.now())  # type: ignore[assignment]
    lines = selectors.reservation_lines_by_sku(reservation=reservation)
    return Reservation(
        reference=reservation.reference,
        state=state,
        expires_at=reservation.expires_at,
        lines=tuple(SkuQuantity(sku=sku, quantity=quantity) for sku, quantity in lines.items()),
    )


class InventoryFacade:
    """The inventory module as other modules see it."""

    def availability_get(self, *, skus: Sequence[str]) -> Mapping[str, Availability]:
        if isinstance(skus, str) or not all(isinstance(sku, str) for sku in skus):
            raise InvalidInput(
                "skus must be a list of strings.",
                errors=(FieldProblem(field="skus", code="invalid", detail="Must be a list of strings."),),
            )
        available = selectors.availability_map(skus=skus)
        return {sku: Availability(sku=sku, available=quantity) for sku, quantity in available.items()}

    def reservation_create(
        self, *, reference: str, lines: Sequence[SkuQuantity], ttl_seconds: int | None = None
    ) -> Reservation:
        return _to_reservation(reservation_create(reference=reference, lines=lines, ttl_seconds=ttl_seconds))

    def reservation_release(self, *, reference: str) -> None:
        reservation_release(reference=reference)

    def reservation_commit(self, *, reference: str, order_number: str) -> Reservation:
        return _to_reservation(reservation_commit(reference=reference, order_number=order_number))

    def order_stock_return(self, *, order_number: str) -> None:
        order_stock_return(order_number=order_number)
