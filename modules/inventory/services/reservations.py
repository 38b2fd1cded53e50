"""Reservations: hold stock for a checkout, release it, expire it (committing it as sales is ``sales``).

Every function here locks the reservation row (when there is one) before the
stock rows, and the stock rows through ``locking.stock_lock`` (see there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.events import publish
from contracts.inventory import OutOfStock, ReservationConflict, StockReleased, StockReserved
from modules.inventory import selectors
from modules.inventory.models import Reservation, ReservationLine, holding_q
from modules.inventory.services.allocation import Allocation, allocate
from modules.inventory.services.locking import inventory_db, stock_lock, transaction_run
from modules.inventory.services.stock_events import stock_events_publish, thresholds_from_positions
from modules.inventory.services.validation import (
    TTL_MAX_SECONDS,
    lines_normalize,
    quantity_check,
    reference_check,
)


def lines_contract(wanted: Mapping[str, int]) -> tuple[SkuQuantity, ...]:
    """Return the quantity per SKU as contract lines, by SKU."""
    return tuple(SkuQuantity(sku=sku, quantity=quantity) for sku, quantity in sorted(wanted.items()))


def lines_replace(*, reservation: Reservation, allocations: Sequence[Allocation], old_lines: bool = True) -> None:
    """Write ``allocations`` as the lines of ``reservation``, deleting its ``old_lines`` first."""
    if old_lines:
        ReservationLine.objects.filter(reservation=reservation).delete()
    lines = ReservationLine.objects.bulk_create(
        ReservationLine(reservation=reservation, sku=a.sku, warehouse_id=a.warehouse_id, quantity=a.quantity)
        for a in allocations
    )
    lines_remember(reservation=reservation, lines=lines)


def reservation_create(*, reference: str, lines: Sequence[SkuQuantity], ttl_seconds: int | None = None) -> Reservation:
    """Hold every line for ``reference`` until ``ttl_seconds`` from now; all lines or none.

    Idempotent: an active reservation of ``reference`` with the same lines is
    returned as is (with other lines it is a ``ReservationConflict``); a
    released or expired one is replaced by a fresh hold. An unknown SKU is
    simply short, with 0 available. One transaction; a new reference costs
    one insert of the reservation, the stock lock, one read of the positions,
    one insert of the lines and the events.
    """
    reference_check(reference)
    wanted = lines_normalize(lines)
    ttl = settings.INVENTORY_RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    quantity_check(ttl, field="ttl_seconds", minimum=1, maximum=TTL_MAX_SECONDS)
    return transaction_run(lambda: _reservation_create(reference=reference, wanted=wanted, ttl=ttl))


def _reservation_insert(*, reference: str, expires_at: datetime, now: datetime) -> Reservation | None:
    """Insert an active reservation of ``reference`` unless one exists; return it, or None when it existed.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite >= 3.35),
    which the ORM cannot return ids from: the new row is locked by being ours,
    so the order "reservation row before stock rows" holds without a select
    first; a concurrent insert of the same reference makes this one wait for
    it and then find it.
    """
    alias = inventory_db()
    connection = connections[alias]
    quote = connection.ops.quote_name
    values = {
        "reference": reference,
        "state": Reservation.State.ACTIVE.value,
        "expires_at": expires_at,
        "order_number": "",
        "created_at": now,
        "updated_at": now,
        "returned_at": None,
    }
    fields = [Reservation._meta.get_field(name) for name in values]
    sql = (
        f"INSERT INTO {quote(Reservation._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote('reference')}) DO NOTHING RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(values[f.name], connection) for f in fields])
        row = cursor.fetchone()
    if row is None:
        return None
    return Reservation.from_db(alias, ["id", *values], [row[0], *values.values()])


def lines_remember(*, reservation: Reservation, lines: list[ReservationLine]) -> None:
    """Keep ``lines`` as the prefetched ``reservation.lines``: the lines just written or read are not read again."""
    reservation._prefetched_objects_cache = {"lines": lines}


def _reservation_create(*, reference: str, wanted: dict[str, int], ttl: int) -> Reservation:
    now = timezone.now()
    expires_at = now + timedelta(seconds=ttl)
    reservation = _reservation_insert(reference=reference, expires_at=expires_at, now=now)
    renewed = reservation is None
    if reservation is None:
        reservation = Reservation.objects.select_for_update().get(reference=reference)
        if reservation.state == Reservation.State.COMMITTED:
            raise ReservationConflict(f"Reservation {reference} is already committed.", code="reservation_committed")
        if reservation.holds_at(now):
            lines_remember(reservation=reservation, lines=list(reservation.lines.all()))
            if selectors.reservation_lines_by_sku(reservation=reservation) != wanted:
                raise ReservationConflict(
                    f"Reservation {reference} already holds other lines; release it first.",
                    code="reservation_mismatch",
                )
            return reservation
    stock_lock(skus=wanted)
    positions = selectors.stock_positions(skus=wanted, now=now, with_thresholds=True)
    before = selectors.availability_from_positions(skus=wanted, positions=positions)
    allocations, shortages = allocate(wanted=wanted, positions=positions)
    if shortages:
        raise OutOfStock(shortages=tuple(shortages))
    if renewed:
        reservation.state = Reservation.State.ACTIVE
        reservation.expires_at = expires_at
        reservation.order_number = ""
        reservation.save(update_fields=["state", "expires_at", "order_number", "updated_at"])
    lines_replace(reservation=reservation, allocations=allocations, old_lines=renewed)
    publish(StockReserved(reference=reference, lines=lines_contract(wanted)))
    stock_events_publish(
        before=before,
        after={sku: before[sku] - quantity for sku, quantity in wanted.items()},
        thresholds=thresholds_from_positions(positions=positions),
    )
    return reservation


def reservation_release(*, reference: str) -> Reservation | None:
    """Stop holding the stock of ``reference``; a no-op unless it is active. Return it, if there is one."""
    reference_check(reference)
    return transaction_run(lambda: reservation_release_in_transaction(reference=reference))


def reservation_release_in_transaction(*, reference: str) -> Reservation | None:
    """Release ``reference`` inside the caller's transaction (which locks nothing of it yet); see ``reservation_release``."""
    now = timezone.now()
    reservation = Reservation.objects.select_for_update().filter(reference=reference).first()
    if reservation is None or reservation.state != Reservation.State.ACTIVE:
        return reservation
    held = list(reservation.lines.all())
    lines_remember(reservation=reservation, lines=held)
    wanted = selectors.reservation_lines_by_sku(reservation=reservation)
    # Locked although release only frees stock: so that the events below are exact under concurrency.
    stock_lock(skus=wanted)
    positions = selectors.stock_positions(skus=wanted, now=now, with_thresholds=True)
    freed: dict[tuple[str, int], int] = defaultdict(int)
    if reservation.holds_at(now):
        for line in held:
            freed[(line.sku, line.warehouse_id)] += line.quantity
    reservation.state = Reservation.State.RELEASED
    reservation.save(update_fields=["state", "updated_at"])
    publish(StockReleased(reference=reference, lines=lines_contract(wanted)))
    stock_events_publish(
        before=selectors.availability_from_positions(skus=wanted, positions=positions),
        after=selectors.availability_from_positions(skus=wanted, positions=positions, extra_holds=_negated(freed)),
        thresholds=thresholds_from_positions(positions=positions),
    )
    return reservation


def _negated(quantities: Mapping[tuple[str, int], int]) -> dict[tuple[str, int], int]:
    return {key: -quantity for key, quantity in quantities.items()}


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
    Reservation.objects.filter(pk__in=[r.pk for r in due]).update(state=Reservation.State.EXPIRED, updated_at=now)
    for reservation in due:
        publish(StockReleased(reference=reservation.reference, lines=lines_contract(per_reservation[reservation.pk])))
    # What was available while these still held, against what is available now.
    stock_events_publish(
        before=selectors.availability_from_positions(skus=skus, positions=positions, extra_holds=freed),
        after=selectors.availability_from_positions(skus=skus, positions=positions),
    )
    return len(due)
