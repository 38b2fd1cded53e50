"""Inventory writes: every change of stock or holds, each under one ``transaction.atomic``.

How overselling is made impossible:
- every operation that changes what is available of a SKU first locks that
  SKU's ``StockLevel`` rows (``SELECT ... FOR UPDATE``) in one global order
  (SKU, then warehouse id), so writers of the same SKU queue instead of racing,
  and two writers can never wait for each other in a cycle (no deadlock);
  a reservation row, when one is involved, is always locked before stock rows;
- what is free is read by a new statement after the locks are held, so it
  includes everything committed by the writers we queued behind;
- on-hand is decreased by a conditional update (``on_hand >= quantity``) and a
  database constraint forbids negative stock, as the last line of defence;
- on SQLite, ``select_for_update`` is a no-op, but every transaction starts
  ``IMMEDIATE`` (settings), so writers run one at a time;
- nothing here calls another module while holding a lock (the catalog check
  of imports and manual movements runs before the transaction starts);
- a lock wait longer than ``lock_timeout`` fails fast as ``InventoryBusy``
  (retryable, 503); a deadlock or serialization failure is retried.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, OperationalError, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import FieldProblem, InvalidInput, NotFound
from contracts.events import publish
from contracts.inventory import (
    BackInStock,
    InventoryBusy,
    LowStock,
    OutOfStock,
    OutOfStockReached,
    ReservationConflict,
    Shortage,
    StockReleased,
    StockReserved,
)
from modules.inventory import selectors
from modules.inventory.models import (
    SKU_MAX_LENGTH,
    Reservation,
    ReservationLine,
    StockLevel,
    StockMovement,
    Warehouse,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# One line of one reservation, receipt or adjustment; more is a typo or an attack, never a real order.
QUANTITY_MAX = 1_000_000
# On-hand of one SKU in one warehouse; keeps every sum far inside a 32-bit column.
ON_HAND_MAX = 1_000_000_000
RESERVATION_LINES_MAX = 500
TTL_MAX_SECONDS = 7 * 24 * 60 * 60
SYSTEM_ACTOR = "system"
SKU_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
# PostgreSQL SQLSTATEs: deadlock and serialization failure are worth retrying as a whole;
# lock_not_available (lock_timeout) and query_canceled (statement_timeout) mean "busy, come back later".
_RETRY_SQLSTATES = frozenset({"40P01", "40001"})
_BUSY_SQLSTATES = frozenset({"55P03", "57014"})
_ATTEMPTS = 3


# --- Transactions ------------------------------------------------------------


def _db() -> str:
    return router.db_for_write(StockLevel)


def _is_busy(error: OperationalError) -> bool:
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate in _BUSY_SQLSTATES or "database is locked" in str(error) or "database table is locked" in str(error)


def _atomic(fn: Callable[[], T]) -> T:
    """Run ``fn`` in one transaction (a savepoint inside the caller's); retry deadlocks, map lock timeouts.

    A rolled-back attempt leaves nothing behind: its outbox rows and their
    on-commit deliveries go with it.
    """
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic(using=_db()):
                return fn()
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) in _RETRY_SQLSTATES and attempt < _ATTEMPTS:
                logger.info("inventory transaction retried after %s (attempt %s)", error.__cause__, attempt)
                time.sleep(0.01 * attempt)
                continue
            if _is_busy(error) or getattr(error.__cause__, "sqlstate", None) in _RETRY_SQLSTATES:
                raise InventoryBusy("The stock is busy; nothing changed. Try again in a moment.") from error
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _stock_lock(*, skus: Iterable[str]) -> None:
    """Lock every stock row of ``skus`` in the global order (SKU, warehouse id); no-op on SQLite (IMMEDIATE)."""
    for chunk in selectors.chunks(skus):
        list(
            StockLevel.objects.select_for_update()
            .filter(sku__in=chunk)
            .order_by("sku", "warehouse_id")
            .values_list("pk", flat=True)
        )


# --- Validation --------------------------------------------------------------


def _problem(field: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(f"{field}: {detail}", errors=(FieldProblem(field=field, code=code, detail=detail),))


def _text_check(value: object, *, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise _problem(field, "invalid", "Must be a non-empty string without surrounding spaces.")
    if len(value) > max_length:
        raise _problem(field, "too_long", f"At most {max_length} characters.")
    return value


def _quantity_check(value: object, *, field: str, minimum: int, maximum: int) -> int:
    # bool is an int in Python; a fractional or textual quantity is refused, never rounded.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _problem(field, "invalid_quantity", "Must be a whole number.")
    if not minimum <= value <= maximum:
        raise _problem(field, "invalid_quantity", f"Must be between {minimum} and {maximum}.")
    return value


def _lines_normalize(lines: object) -> dict[str, int]:
    """Return the wanted quantity per SKU, sorted by SKU; the same SKU twice counts twice."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence) or not lines:
        raise _problem("lines", "required", "At least one line is required.")
    if len(lines) > RESERVATION_LINES_MAX:
        raise _problem("lines", "too_many", f"At most {RESERVATION_LINES_MAX} lines.")
    wanted: dict[str, int] = defaultdict(int)
    for index, line in enumerate(lines):
        if not isinstance(line, SkuQuantity):
            raise _problem(f"lines[{index}]", "invalid", "Must be a SkuQuantity.")
        sku = _text_check(line.sku, field=f"lines[{index}].sku", max_length=SKU_MAX_LENGTH)
        wanted[sku] += _quantity_check(line.quantity, field=f"lines[{index}].quantity", minimum=1, maximum=QUANTITY_MAX)
    for sku, quantity in wanted.items():
        if quantity > QUANTITY_MAX:
            raise _problem("lines", "invalid_quantity", f"{sku}: at most {QUANTITY_MAX} in all.")
    return dict(sorted(wanted.items()))


# --- Events ------------------------------------------------------------------


def _stock_events_publish(*, before: Mapping[str, int], after: Mapping[str, int]) -> None:
    """Publish OutOfStock, BackInStock and LowStock for every SKU whose availability crossed a line."""
    changed = [sku for sku in sorted(after) if after[sku] != before.get(sku, 0)]
    if not changed:
        return
    thresholds = selectors.low_stock_thresholds(skus=changed, default=settings.INVENTORY_LOW_STOCK_THRESHOLD)
    for sku in changed:
        was, now = before.get(sku, 0), after[sku]
        if now == 0:
            publish(OutOfStockReached(sku=sku))
        elif was == 0:
            publish(BackInStock(sku=sku, available=now))
        elif now <= thresholds[sku] < was:
            publish(LowStock(sku=sku, available=now, threshold=thresholds[sku]))


def _lines_contract(wanted: Mapping[str, int]) -> tuple[SkuQuantity, ...]:
    return tuple(SkuQuantity(sku=sku, quantity=quantity) for sku, quantity in sorted(wanted.items()))


# --- Allocation ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Allocation:
    sku: str
    warehouse_id: int
    quantity: int


def _allocate(
    *, wanted: Mapping[str, int], positions: Iterable[selectors.StockPosition]
) -> tuple[list[_Allocation], list[Shortage]]:
    """Take each SKU from the free stock of active warehouses, by priority; list every SKU that falls short."""
    by_sku: dict[str, list[selectors.StockPosition]] = defaultdict(list)
    for position in positions:
        if position.active:
            by_sku[position.sku].append(position)
    allocations: list[_Allocation] = []
    shortages: list[Shortage] = []
    for sku, quantity in sorted(wanted.items()):
        candidates = sorted(by_sku[sku], key=lambda p: (p.priority, p.warehouse_code))
        free = sum(p.free for p in candidates)
        if free < quantity:
            shortages.append(Shortage(sku=sku, requested=quantity, available=free))
            continue
        remaining = quantity
        for position in candidates:
            take = min(position.free, remaining)
            if take:
                allocations.append(_Allocation(sku=sku, warehouse_id=position.warehouse_id, quantity=take))
                remaining -= take
            if not remaining:
                break
    return allocations, shortages


def _lines_replace(*, reservation: Reservation, allocations: Sequence[_Allocation]) -> None:
    reservation.lines.all().delete()
    ReservationLine.objects.bulk_create(
        ReservationLine(reservation=reservation, sku=a.sku, warehouse_id=a.warehouse_id, quantity=a.quantity)
        for a in allocations
    )


# --- Reservations --------------------------------------------------------------


def reservation_create(*, reference: str, lines: Sequence[SkuQuantity], ttl_seconds: int | None = None) -> Reservation:
    """Hold every line for ``reference`` until ``ttl_seconds`` from now; all lines or none.

    Idempotent: an active reservation of ``reference`` with the same lines is
    returned as is (with other lines it is a ``ReservationConflict``); a
    released or expired one is replaced by a fresh hold. An unknown SKU is
    simply short, with 0 available.
    """
    _text_check(reference, field="reference", max_length=Reservation._meta.get_field("reference").max_length)
    wanted = _lines_normalize(lines)
    ttl = settings.INVENTORY_RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    _quantity_check(ttl, field="ttl_seconds", minimum=1, maximum=TTL_MAX_SECONDS)
    try:
        return _atomic(lambda: _reservation_create(reference=reference, wanted=wanted, ttl=ttl))
    except (IntegrityError, _ReferenceTaken):
        # Someone else created ``reference`` while we queued for the stock; this time we find theirs.
        return _atomic(lambda: _reservation_create(reference=reference, wanted=wanted, ttl=ttl))


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
    _stock_lock(skus=wanted)
    if reservation is None and Reservation.objects.filter(reference=reference).exists():
        # Locking that row now would break the lock order (reservation before stock): start again instead.
        raise _ReferenceTaken(reference)
    positions = selectors.stock_positions(skus=wanted, now=now)
    before = selectors.availability_from_positions(skus=wanted, positions=positions)
    allocations, shortages = _allocate(wanted=wanted, positions=positions)
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
    _stock_events_publish(before=before, after={sku: before[sku] - quantity for sku, quantity in wanted.items()})
    return reservation


def reservation_release(*, reference: str) -> Reservation | None:
    """Stop holding the stock of ``reference``; a no-op unless it is active. Return it, if there is one."""
    _text_check(reference, field="reference", max_length=Reservation._meta.get_field("reference").max_length)
    return _atomic(lambda: _reservation_release(reference=reference))


def _reservation_release(*, reference: str) -> Reservation | None:
    reservation = Reservation.objects.select_for_update().filter(reference=reference).first()
    if reservation is None or reservation.state != Reservation.State.ACTIVE:
        return reservation
    wanted = selectors.reservation_lines_by_sku(reservation=reservation)
    # Locked although release only frees stock: so that the events below are exact under concurrency.
    _stock_lock(skus=wanted)
    before = selectors.availability_map(skus=wanted)
    reservation.state = Reservation.State.RELEASED
    reservation.save(update_fields=["state", "updated"])
    publish(StockReleased(reference=reference, lines=_lines_contract(wanted)))
    _stock_events_publish(before=before, after=selectors.availability_map(skus=wanted))
    return reservation


def reservation_commit(*, reference: str, order_number: str) -> Reservation:
    """Turn the hold of ``reference`` into sales of ``order_number``: on-hand decreases, ledger rows of kind sale.

    Idempotent: committing again for the same order returns the committed
    reservation. A hold past its time commits only while the stock is still
    free (re-allocated, ignoring itself), else ``OutOfStock``.
    """
    max_length = Reservation._meta.get_field("reference").max_length
    _text_check(reference, field="reference", max_length=max_length)
    _text_check(order_number, field="order_number", max_length=max_length)
    return _atomic(lambda: _reservation_commit(reference=reference, order_number=order_number))


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
    _stock_lock(skus=wanted)
    before = selectors.availability_map(skus=wanted, now=now)
    on_hand = dict(
        ((sku, warehouse_id), quantity)
        for chunk in selectors.chunks(wanted)
        for sku, warehouse_id, quantity in StockLevel.objects.filter(sku__in=chunk).values_list(
            "sku", "warehouse_id", "on_hand"
        )
    )
    allocations = [_Allocation(sku=line.sku, warehouse_id=line.warehouse_id, quantity=line.quantity) for line in held]
    physically_there = all(on_hand.get((a.sku, a.warehouse_id), 0) >= a.quantity for a in allocations)
    if not (reservation.holds_at(now) and physically_there):
        # Expired (its stock may be promised to others by now) or counted away: take only what is free.
        positions = selectors.stock_positions(skus=wanted, now=now, exclude_reservation_id=reservation.pk)
        allocations, shortages = _allocate(wanted=wanted, positions=positions)
        if shortages:
            raise OutOfStock(shortages=tuple(shortages))
        _lines_replace(reservation=reservation, allocations=allocations)
    _stock_take(allocations=allocations, order_number=order_number)
    reservation.state = Reservation.State.COMMITTED
    reservation.order_number = order_number
    reservation.save(update_fields=["state", "order_number", "updated"])
    _stock_events_publish(before=before, after=selectors.availability_map(skus=wanted, now=now))
    return reservation


def _stock_take(*, allocations: Sequence[_Allocation], order_number: str) -> None:
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
    _text_check(order_number, field="order_number", max_length=Reservation._meta.get_field("reference").max_length)
    return _atomic(lambda: _order_stock_return(order_number=order_number))


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
    _stock_lock(skus=skus)
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
    _stock_events_publish(before=before, after=selectors.availability_map(skus=skus))
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
        count = _atomic(lambda: _reservations_expire_batch(now=now, batch_size=batch_size))
        expired += count
        if count < batch_size:
            return expired


def _reservations_expire_batch(*, now: datetime, batch_size: int) -> int:
    due = list(
        Reservation.objects.select_for_update(skip_locked=True)
        .filter(state=Reservation.State.ACTIVE, expires_at__lte=now)
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
    _stock_lock(skus=skus)
    positions = selectors.stock_positions(skus=skus, now=now)
    Reservation.objects.filter(pk__in=[r.pk for r in due]).update(state=Reservation.State.EXPIRED, updated=now)
    for reservation in due:
        publish(StockReleased(reference=reservation.reference, lines=_lines_contract(per_reservation[reservation.pk])))
    # What was available while these still held, against what is available now.
    _stock_events_publish(
        before=selectors.availability_from_positions(skus=skus, positions=positions, extra_holds=freed),
        after=selectors.availability_from_positions(skus=skus, positions=positions),
    )
    return len(due)


# --- Receipts, adjustments, imports --------------------------------------------------


def _skus_in_catalog_check(*, skus: Iterable[str]) -> set[str]:
    """Return the SKUs the catalog does not know; called before any transaction, never under a lock."""
    unknown: set[str] = set()
    for chunk in selectors.chunks(skus):
        known = services().catalog.variants_get(skus=chunk)
        unknown.update(sku for sku in chunk if sku not in known)
    return unknown


def _sku_check(value: object, *, field: str) -> str:
    sku = _text_check(value, field=field, max_length=SKU_MAX_LENGTH)
    if not SKU_PATTERN.match(sku):
        raise _problem(field, "invalid_sku", "Letters, digits, '.', '_' or '-' only.")
    return sku


def stock_move(
    *, sku: str, warehouse_code: str, kind: str, quantity: int, reason: str = "", actor: str = SYSTEM_ACTOR
) -> StockMovement:
    """Receive (kind receipt, quantity > 0) or adjust (kind adjustment, signed) the stock of one SKU in one warehouse.

    Writes the ledger row and changes on-hand by exactly its quantity. An
    adjustment may take on-hand below what is held (a count found less); it
    may never take it below zero.
    """
    _sku_check(sku, field="sku")
    if kind == StockMovement.Kind.RECEIPT:
        _quantity_check(quantity, field="quantity", minimum=1, maximum=QUANTITY_MAX)
    elif kind == StockMovement.Kind.ADJUSTMENT:
        _quantity_check(quantity, field="quantity", minimum=-QUANTITY_MAX, maximum=QUANTITY_MAX)
        if quantity == 0:
            raise _problem("quantity", "invalid_quantity", "An adjustment of 0 changes nothing.")
    else:
        raise _problem("kind", "invalid", "Only receipts and adjustments are recorded by hand.")
    if not isinstance(reason, str) or len(reason) > 200:
        raise _problem("reason", "too_long", "At most 200 characters.")
    if not Warehouse.objects.filter(code=warehouse_code).exists():
        raise _problem("warehouse", "unknown_warehouse", f"There is no warehouse {warehouse_code!r}.")
    if _skus_in_catalog_check(skus=[sku]):
        raise _problem("sku", "unknown_sku", f"The catalog has no SKU {sku!r}.")
    return _atomic(
        lambda: _stock_move(
            sku=sku, warehouse_code=warehouse_code, kind=kind, quantity=quantity, reason=reason, actor=actor
        )
    )


def _stock_move(*, sku: str, warehouse_code: str, kind: str, quantity: int, reason: str, actor: str) -> StockMovement:
    warehouse = Warehouse.objects.get(code=warehouse_code)
    StockLevel.objects.get_or_create(sku=sku, warehouse=warehouse)
    _stock_lock(skus=[sku])
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    target = level.on_hand + quantity
    if target < 0:
        raise _problem("quantity", "negative_stock", f"Only {level.on_hand} on hand in {warehouse.code}.")
    if target > ON_HAND_MAX:
        raise _problem("quantity", "invalid_quantity", f"On-hand may not exceed {ON_HAND_MAX}.")
    before = selectors.availability_map(skus=[sku])
    StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity)
    movement = StockMovement.objects.create(
        sku=sku, warehouse=warehouse, kind=kind, quantity=quantity, reason=reason, actor=actor
    )
    _stock_events_publish(before=before, after=selectors.availability_map(skus=[sku]))
    return movement


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRow:
    line: int
    sku: str
    warehouse_code: str
    on_hand: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    rows: int
    changed: int
    movements: int


IMPORT_HEADER = ("sku", "warehouse", "on_hand")


def stock_import_parse(*, text: str) -> list[ImportRow]:
    """Parse and validate a whole ``sku,warehouse,on_hand`` CSV; ``InvalidInput`` lists every bad line.

    Checks everything that needs no lock: the header, each value, duplicates,
    unknown warehouses and (through the catalog contract) unknown SKUs.
    """
    problems: list[FieldProblem] = []
    rows: list[ImportRow] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _problem("line 1", "invalid_csv", f"Not a readable CSV: {error}.") from error
    if header is None or tuple(h.strip().lower() for h in header) != IMPORT_HEADER:
        raise _problem("line 1", "invalid_header", "The first line must be exactly: sku,warehouse,on_hand")
    seen: dict[tuple[str, str], int] = {}
    try:
        records = [(reader.line_num, values) for values in reader]
    except csv.Error as error:
        raise _problem(f"line {reader.line_num}", "invalid_csv", f"Not a readable CSV: {error}.") from error
    for line, values in records:
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(IMPORT_HEADER):
            problems.append(FieldProblem(field=f"line {line}", code="invalid_row", detail="Expected 3 values."))
            continue
        sku, warehouse_code, raw = (v.strip() for v in values)
        if not sku or len(sku) > SKU_MAX_LENGTH or not SKU_PATTERN.match(sku):
            problems.append(FieldProblem(field=f"line {line}", code="invalid_sku", detail=f"Invalid SKU {sku!r}."))
            continue
        if not re.fullmatch(r"[0-9]+", raw) or int(raw) > ON_HAND_MAX:
            problems.append(
                FieldProblem(
                    field=f"line {line}",
                    code="invalid_quantity",
                    detail=f"on_hand must be a whole number from 0 to {ON_HAND_MAX}, not {raw!r}.",
                )
            )
            continue
        key = (sku, warehouse_code)
        if key in seen:
            problems.append(
                FieldProblem(
                    field=f"line {line}",
                    code="duplicate",
                    detail=f"{sku} in {warehouse_code} is already on line {seen[key]}.",
                )
            )
            continue
        seen[key] = line
        rows.append(ImportRow(line=line, sku=sku, warehouse_code=warehouse_code, on_hand=int(raw)))
    known_warehouses = set(Warehouse.objects.values_list("code", flat=True))
    unknown_skus = _skus_in_catalog_check(skus={row.sku for row in rows})
    for row in rows:
        if row.warehouse_code not in known_warehouses:
            problems.append(
                FieldProblem(
                    field=f"line {row.line}",
                    code="unknown_warehouse",
                    detail=f"There is no warehouse {row.warehouse_code!r}.",
                )
            )
        if row.sku in unknown_skus:
            problems.append(
                FieldProblem(field=f"line {row.line}", code="unknown_sku", detail=f"The catalog has no SKU {row.sku!r}.")
            )
    if not rows and not problems:
        raise _problem("line 2", "empty", "The file has no rows.")
    if problems:
        problems.sort(key=lambda p: int(p.field.split()[1]))
        raise InvalidInput(
            f"The file has {len(problems)} problem(s); nothing was imported.", code="invalid_import", errors=tuple(problems)
        )
    return rows


def stock_import(*, text: str, source: str = "", actor: str = SYSTEM_ACTOR) -> ImportResult:
    """Set on-hand levels from a CSV, all or nothing, through ledger rows of kind import; idempotent.

    Each row writes one movement of the difference to its target (none when
    already there), so importing the same file twice changes nothing.
    """
    rows = stock_import_parse(text=text)
    return _atomic(lambda: _stock_import(rows=rows, source=source[:100], actor=actor))


def _stock_import(*, rows: Sequence[ImportRow], source: str, actor: str) -> ImportResult:
    warehouses = dict(Warehouse.objects.values_list("code", "pk"))
    skus = {row.sku for row in rows}
    StockLevel.objects.bulk_create(
        [StockLevel(sku=row.sku, warehouse_id=warehouses[row.warehouse_code]) for row in rows],
        ignore_conflicts=True,
        batch_size=1000,
    )
    _stock_lock(skus=skus)
    before = selectors.availability_map(skus=skus)
    levels = {
        (level.sku, level.warehouse_id): level
        for chunk in selectors.chunks(skus)
        for level in StockLevel.objects.filter(sku__in=chunk)
    }
    movements: list[StockMovement] = []
    changed: list[StockLevel] = []
    for row in rows:
        level = levels[(row.sku, warehouses[row.warehouse_code])]
        delta = row.on_hand - level.on_hand
        if delta:
            level.on_hand = row.on_hand
            changed.append(level)
            movements.append(
                StockMovement(
                    sku=row.sku,
                    warehouse_id=level.warehouse_id,
                    kind=StockMovement.Kind.IMPORT,
                    quantity=delta,
                    reason=f"import line {row.line}",
                    reference=source,
                    actor=actor,
                )
            )
    StockLevel.objects.bulk_update(changed, ["on_hand"], batch_size=1000)
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    _stock_events_publish(before=before, after=selectors.availability_map(skus=skus))
    return ImportResult(rows=len(rows), changed=len(changed), movements=len(movements))
