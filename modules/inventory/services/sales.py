"""Sales: a hold committed as sales of an order, and the stock of a cancelled order put back.

Both lock the reservation rows before the stock rows (see ``locking``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from contracts.errors import NotFound
from contracts.inventory import OutOfStock, ReservationConflict, Shortage
from modules.inventory import selectors
from modules.inventory.models import SYSTEM_ACTOR, Reservation, StockLevel, StockMovement
from modules.inventory.services.allocation import Allocation, allocate
from modules.inventory.services.locking import stock_lock, transaction_run
from modules.inventory.services.reservations import lines_remember, lines_replace, reservation_release_in_transaction
from modules.inventory.services.stock_events import stock_events_publish, thresholds_from_positions
from modules.inventory.services.validation import reference_check


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
    # A new statement after the reservation lock: the lines as the last writer of this reservation left them.
    held = list(reservation.lines.all())
    lines_remember(reservation=reservation, lines=held)
    wanted: dict[str, int] = defaultdict(int)
    for line in held:
        wanted[line.sku] += line.quantity
    stock_lock(skus=wanted)
    positions = selectors.stock_positions(skus=wanted, now=now, with_thresholds=True)
    before = selectors.availability_from_positions(skus=wanted, positions=positions)
    # The same positions without this reservation's own hold (it counts in ``held`` only while it holds).
    own = defaultdict(int)
    if reservation.holds_at(now):
        for line in held:
            own[(line.sku, line.warehouse_id)] += line.quantity
    others = [replace(p, held=p.held - own[(p.sku, p.warehouse_id)]) for p in positions]
    on_hand = {(p.sku, p.warehouse_id): p.on_hand for p in positions}
    allocations = [Allocation(sku=line.sku, warehouse_id=line.warehouse_id, quantity=line.quantity) for line in held]
    physically_there = all(on_hand.get((a.sku, a.warehouse_id), 0) >= a.quantity for a in allocations)
    if not (reservation.holds_at(now) and physically_there):
        # Expired (its stock may be promised to others by now) or counted away: take only what is free.
        allocations, shortages = allocate(wanted=wanted, positions=others)
        if shortages:
            raise OutOfStock(shortages=tuple(shortages))
        lines_replace(reservation=reservation, allocations=allocations)
    _stock_take(allocations=allocations, positions=positions, order_number=order_number)
    reservation.state = Reservation.State.COMMITTED
    reservation.order_number = order_number
    reservation.save(update_fields=["state", "order_number", "updated_at"])
    taken = defaultdict(int)
    for a in allocations:
        taken[(a.sku, a.warehouse_id)] += a.quantity
    after_positions = [replace(p, on_hand=p.on_hand - taken[(p.sku, p.warehouse_id)]) for p in others]
    stock_events_publish(
        before=before,
        after=selectors.availability_from_positions(skus=wanted, positions=after_positions),
        thresholds=thresholds_from_positions(positions=positions),
    )
    return reservation


def _stock_take(
    *, allocations: Sequence[Allocation], positions: Sequence[selectors.StockPosition], order_number: str
) -> None:
    """Take ``allocations`` off on-hand in one conditional update and write their sale rows in one insert."""
    level_ids = {(p.sku, p.warehouse_id): p.level_id for p in positions}
    takes = sorted(allocations, key=lambda a: (a.sku, a.warehouse_id))
    ids = [level_ids.get((a.sku, a.warehouse_id)) for a in takes]
    # Conditional even under the lock: on-hand can never be taken below zero, whatever happened before.
    enough = Q()
    for level_id, a in zip(ids, takes, strict=True):
        enough |= Q(pk=level_id, on_hand__gte=a.quantity)
    updated = (
        StockLevel.objects.filter(enough).update(
            on_hand=F("on_hand")
            - Case(*(When(pk=level_id, then=Value(a.quantity)) for level_id, a in zip(ids, takes, strict=True)))
        )
        if None not in ids
        else 0
    )
    if updated != len(takes):
        on_hand = {(p.sku, p.warehouse_id): p.on_hand for p in positions}
        short = next((a for a in takes if on_hand.get((a.sku, a.warehouse_id), 0) < a.quantity), takes[0])
        raise OutOfStock(shortages=(Shortage(sku=short.sku, requested=short.quantity, available=0),))
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
        for a in takes
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
            reservation_release_in_transaction(reference=reservation.reference)
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
