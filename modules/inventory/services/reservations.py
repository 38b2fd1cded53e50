"""Reservations: hold stock for a checkout, release it, commit it as sales, return it, expire it.

Every function here locks the reservation row (when there is one) before the
stock rows, and the stock rows through ``locking.stock_lock`` (see there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F, Q
from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.errors import NotFound
from contracts.events import publish
from contracts.inventory import OutOfStock, ReservationConflict, Shortage, StockReleased, StockReserved
from modules.inventory import selectors
from modules.inventory.models import (
    SYSTEM_ACTOR,
    Reservation,
    ReservationLine,
    StockLevel,
    StockMovement,
    holding_q,
)
from modules.inventory.services.allocation import Allocation, allocate
from modules.inventory.services.locking import stock_lock, transaction_run
from modules.inventory.services.stock_events import stock_events_publish
from modules.inventory.services.validation import (
    TTL_MAX_SECONDS,
    lines_normalize,
    quantity_check,
    reference_check,
)


def _lines_contract(wanted: Mapping[str, int]) -> tuple[SkuQuantity, ...]:
    return tuple(SkuQuantity(sku=sku, quantity=quantity) for sku, quantity in sorted(wanted.items()))


def _lines_replace(*, reservation: Reservation, allocations: Sequence[Allocation]) -> None:
    reservation.lines.all().delete()
    ReservationLine.objects.bulk_create(
        ReservationLine(reservation=reservation, sku=a.sku, warehouse_id=a.warehouse_id, quantity=a.quantity)
        for a in allocations
    )


def reservation_create(*, reference: str, lines: Sequence[SkuQuantity], ttl_seconds: int | None = None) -> Reservation:
    """Hold every line for ``reference`` until ``ttl_seconds`` from now; all lines or none.

    Idempotent: an active reservation of ``reference`` with the same lines is
    returned as is (with other lines it is a ``ReservationConflict``); a
    released or expired one is replaced by a fresh hold. An unknown SKU is
    simply short, with 0 available.
    """
    reference_check(reference)
    wanted = lines_normalize(lines)
    ttl = settings.INVENTORY_RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    quantity_check(ttl, field="ttl_seconds", minimum=1, maximum=TTL_MAX_SECONDS)
    try:
        return transaction_run(lambda: _reservation_create(reference=reference, wanted=wanted, ttl=ttl))
    except (IntegrityError, _ReferenceTaken):
        # Someone else created ``reference`` while we queued for the stock; this time we find theirs.
        return transaction_run(lambda: _reservation_create(reference=reference, wanted=wanted, ttl=ttl))


class _ReferenceTaken(Exception):
    """A concurrent call created the same reference first: roll back and start again."""


def _reservation_create(*, reference: str, wanted: dict[str, int], ttl: int) -> Reservation:
    now = timezone.now()
    reservation = Reservation.objects.select_for_update().filter(reference=reference).first()
    if reservation is not None:
        if reservation.state == Reservation.State.COMMITTED:
            raise ReservationConflict(f"Reservation {reference} is already committed.", code="reservation_committed")
        if reservation.holds_at(now):
            if selectors.reservation_lines_by_sku(reservation=reservation) != wanted:
                raise ReservationConflict(
                    f"Reservation {reference} already holds other lines; release it first.",
                    code="reservation_mismatch",
                )
            return reservation
    stock_lock(skus=wanted)
    if reservation is None and Reservation.objects.filter(reference=reference).exists():
        # Locking that row now would break the lock order (reservation before stock): start again instead.
        raise _ReferenceTaken(reference)
    positions = selectors.stock_positions(skus=wanted, now=now)
    before = selectors.availability_from_positions(skus=wanted, positions=positions)
    allocations, shortages = allocate(wanted=wanted, positions=positions)
    if shortages:
        raise OutOfStock(shortages=tuple(shortages))
    if reservation is None:
        reservation = Reservation.objects.create(reference=reference, expires_at=now + timedelta(seconds=ttl))
    else:
        reservation.state = Reservation.State.ACTIVE
        reservation.expires_at = now + timedelta(seconds=ttl)
        reservation.order_number = ""
        reservation.save(update_fields=["state", "expires_at", "order_number", "updated"])
    _lines_replace(reservation=reservation, allocations=allocations)
    publish(StockReserved(reference=reference, lines=_lines_contract(wanted)))
    stock_events_publish(before=before, after={sku: before[sku] - quantity for sku, quantity in wanted.items()})
    return reservation


def reservation_release(*, reference: str) -> Reservation | None:
    """Stop holding the stock of ``reference``; a no-op unless it is active. Return it, if there is one."""
    reference_check(reference)
    return transaction_run(lambda: _reservation_release(reference=reference))


def _reservation_release(*, reference: str) -> Reservation | None:
    reservation = Reservation.objects.select_for_update().filter(reference=reference).first()
    if reservation is None or reservation.state != Reservation.State.ACTIVE:
        return reservation
    wanted = selectors.reservation_lines_by_sku(reservation=reservation)
    # Locked although release only frees stock: so that the events below are exact under concurrency.
    stock_lock(skus=wanted)
    before = selectors.availability_map(skus=wanted)
    reservation.state = Reservation.State.RELEASED
    reservation.save(update_fields=["state", "updated"])
    publish(StockReleased(reference=reference, lines=_lines_contract(wanted)))
    stock_events_publish(before=before, after=selectors.availability_map(skus=wanted))
    return reservation


def reservation_commit(*, reference: str, order_number: str) -> Reservation:
    """Turn the hold of ``reference`` into sales of ``order_number``: on-hand decreases, ledger rows of kind sale.

    Idempotent: committing again for the same order returns the committed
    reservation. A hold past its time commits only while the stock is still
    free (re-allocated, ignoring itself), else ``OutOfStock``.
    """
    reference_check(reference)
    reference_check(order_number, field="order_number")
    return transaction_run(lambda: _reservation_commit(reference=reference, order_number=order_number))


def _reservation_commit(*, reference: str, order_number: str) -> Reservation:
    now = timezone.now()
    reservation = Reservation.objects.select_for_update().filter(reference=reference).first()
    if reservation is None:
        raise NotFound(f"There is no reservation {reference}.")
    if reservation.state == Reservation.State.COMMITTED:
        if reservation.order_number == order_number:
            return reservation
        raise ReservationConflict(
            f"Reservation {reference} is committed to another order.", code="reservation_committed"
        )
    if reservation.state == Reservation.State.RELEASED:
        raise ReservationConflict(f"Reservation {reference} was released.", code="reservation_released")
    held = list(reservation.lines.all())
    wanted: dict[str, int] = defaultdict(int)
    for line in held:
        wanted[line.sku] += line.quantity
    stock_lock(skus=wanted)
    before = selectors.availability_map(skus=wanted, now=now)
    on_hand = dict(
        ((sku, warehouse_id), quantity)
        for chunk in selectors.chunks(wanted)
        for sku, warehouse_id, quantity in StockLevel.objects.filter(sku__in=chunk).values_list(
            "sku", "warehouse_id", "on_hand"
        )
    )
    allocations = [Allocation(sku=line.sku, warehouse_id=line.warehouse_id, quantity=line.quantity) for line in held]
    physically_there = all(on_hand.get((a.sku, a.warehouse_id), 0) >= a.quantity for a in allocations)
    if not (reservation.holds_at(now) and physically_there):
        # Expired (its stock may be promised to others by now) or counted away: take only what is free.
        positions = selectors.stock_positions(skus=wanted, now=now, exclude_reservation_id=reservation.pk)
        allocations, shortages = allocate(wanted=wanted, positions=positions)
        if shortages:
            raise OutOfStock(shortages=tuple(shortages))
        _lines_replace(reservation=reservation, allocations=allocations)
    _stock_take(allocations=allocations, order_number=order_number)
    reservation.state = Reservation.State.COMMITTED
    reservation.order_number = order_number
    reservation.save(update_fields=["state", "order_number", "updated"])
    stock_events_publish(before=before, after=selectors.availability_map(skus=wanted, now=now))
    return reservation


def _stock_take(*, allocations: Sequence[Allocation], order_number: str) -> None:
    for a in sorted(allocations, key=lambda a: (a.sku, a.warehouse_id)):
        # Conditional even under the lock: on-hand can never be taken below zero, whatever happened before.
        taken = StockLevel.objects.filter(sku=a.sku, warehouse_id=a.warehouse_id, on_hand__gte=a.quantity).update(
            on_hand=F("on_hand") - a.quantity
        )
        if taken != 1:
            raise OutOfStock(shortages=(Shortage(sku=a.sku, requested=a.quantity, available=0),))
    StockMovement.objects.bulk_create(
        StockMovement(
            sku=a.sku,
            warehouse_id=a.warehouse_id,
            kind=StockMovement.Kind.SALE,
            quantity=-a.quantity,
            reason="order placed",
            reference=order_number,
            actor=SYSTEM_ACTOR,
        )
        for a in allocations
    )


def order_stock_return(*, order_number: str) -> int:
    """Put back the stock sold to the cancelled order ``order_number`` (ledger rows of kind return); idempotent.

    Returns the units put back (0 when already returned or nothing was sold).
    An order cancelled before its stock was committed has its hold (checkout
    reserves under the order number) released instead, so a late commit of
    it cannot sell stock to a cancelled order.
    """
    reference_check(order_number, field="order_number")
    return transaction_run(lambda: _order_stock_return(order_number=order_number))


def _order_stock_return(*, order_number: str) -> int:
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(Q(order_number=order_number) | Q(reference=order_number))
        .order_by("pk")
    )
    for reservation in reservations:
        if reservation.state == Reservation.State.ACTIVE and reservation.reference == order_number:
            _reservation_release(reference=reservation.reference)
        elif reservation.state == Reservation.State.EXPIRED and reservation.reference == order_number:
            # A late commit re-allocates an expired hold: close it for good, or it could sell to a cancelled order.
            Reservation.objects.filter(pk=reservation.pk).update(state=Reservation.State.RELEASED)
    sold = [
        r for r in reservations
        if r.state == Reservation.State.COMMITTED and r.order_number == order_number and r.returned_at is None
    ]
    if not sold:
        return 0
    returns: dict[tuple[str, int], int] = defaultdict(int)
    for sku, warehouse_id, quantity in StockMovement.objects.filter(
        kind=StockMovement.Kind.SALE, reference=order_number
    ).values_list("sku", "warehouse_id", "quantity"):
        returns[(sku, warehouse_id)] -= quantity
    skus = {sku for sku, _ in returns}
    stock_lock(skus=skus)
    before = selectors.availability_map(skus=skus)
    for (sku, warehouse_id), quantity in sorted(returns.items()):
        StockLevel.objects.filter(sku=sku, warehouse_id=warehouse_id).update(on_hand=F("on_hand") + quantity)
    StockMovement.objects.bulk_create(
        StockMovement(
            sku=sku,
            warehouse_id=warehouse_id,
            kind=StockMovement.Kind.RETURN,
            quantity=quantity,
            reason="order cancelled",
            reference=order_number,
            actor=SYSTEM_ACTOR,
        )
        for (sku, warehouse_id), quantity in sorted(returns.items())
        if quantity
    )
    Reservation.objects.filter(pk__in=[r.pk for r in sold]).update(returned_at=timezone.now())
    stock_events_publish(before=before, after=selectors.availability_map(skus=skus))
    return sum(returns.values())


def reservations_expire(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Mark active reservations past their time as expired and publish what they freed; return how many.

    Their holds stopped counting at ``expires_at`` already; this makes the
    state say so and tells subscribers (StockReleased, BackInStock). Rows
    locked by a concurrent commit are skipped and picked up next time.
    """
    now = now or timezone.now()
    expired = 0
    while True:
        count = transaction_run(lambda: _reservations_expire_batch(now=now, batch_size=batch_size))
        expired += count
        if count < batch_size:
            return expired


def _reservations_expire_batch(*, now: datetime, batch_size: int) -> int:
    due = list(
        Reservation.objects.select_for_update(skip_locked=True)
        .filter(Q(state=Reservation.State.ACTIVE) & ~holding_q(now=now))
        .order_by("expires_at", "pk")[:batch_size]
    )
    if not due:
        return 0
    freed: dict[tuple[str, int], int] = defaultdict(int)
    per_reservation: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for reservation_id, sku, warehouse_id, quantity in ReservationLine.objects.filter(
        reservation__in=due
    ).values_list("reservation_id", "sku", "warehouse_id", "quantity"):
        freed[(sku, warehouse_id)] += quantity
        per_reservation[reservation_id][sku] += quantity
    skus = {sku for sku, _ in freed}
    stock_lock(skus=skus)
    positions = selectors.stock_positions(skus=skus, now=now)
    Reservation.objects.filter(pk__in=[r.pk for r in due]).update(state=Reservation.State.EXPIRED, updated=now)
    for reservation in due:
        publish(StockReleased(reference=reservation.reference, lines=_lines_contract(per_reservation[reservation.pk])))
    # What was available while these still held, against what is available now.
    stock_events_publish(
        before=selectors.availability_from_positions(skus=skus, positions=positions, extra_holds=freed),
        after=selectors.availability_from_positions(skus=skus, positions=positions),
    )
    return len(due)
