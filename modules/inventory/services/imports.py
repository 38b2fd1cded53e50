"""Setting on-hand levels from a CSV: the whole file is checked first, then written all or nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import connections, transaction
from django.db.models.options import Options
from django.utils import timezone

from contracts.common import sku_valid
from kernel.imports import LineProblem, csv_rows_read, problems_raise
from modules.inventory import selectors
from modules.inventory.models import SYSTEM_ACTOR, StockLevel, StockMovement, Warehouse
from modules.inventory.services.locking import inventory_db, stock_lock, transaction_run
from modules.inventory.services.stock_events import stock_events_publish
from modules.inventory.services.validation import ON_HAND_MAX, skus_unknown_get


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


IMPORT_COLUMNS = ("sku", "warehouse", "on_hand")
IMPORT_MAX_ROWS = 100_000
_WHOLE_NUMBER = re.compile(r"[0-9]+")
# Rows per insert: Django lowers it to what the database's parameter limit allows (SQLite).
_BATCH = 5000


def stock_import_parse(*, text: str) -> list[ImportRow]:
    """Parse and validate a whole ``sku,warehouse,on_hand`` CSV; ``ImportInvalid`` lists the first problems by line.

    Checks everything that needs no lock: the header and each value (through
    ``kernel.imports``), duplicates, unknown warehouses and (through the
    catalog contract) unknown SKUs. The error lists the first 50 problems by
    line and counts them all (``problem_count``).
    """
    records, problems = csv_rows_read(text, columns=IMPORT_COLUMNS, max_rows=IMPORT_MAX_ROWS)
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        line = record.line
        sku, warehouse_code, raw = (record.values[name] for name in IMPORT_COLUMNS)
        if not sku_valid(sku):
            problems.append(LineProblem(line=line, code="invalid_sku", detail=f"Invalid SKU {sku!r}."))
            continue
        if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) > ON_HAND_MAX:
            problems.append(
                LineProblem(
                    line=line,
                    code="invalid_quantity",
                    detail=f"on_hand must be a whole number from 0 to {ON_HAND_MAX}, not {raw!r}.",
                )
            )
            continue
        key = (sku, warehouse_code)
        if key in seen:
            problems.append(
                LineProblem(line=line, code="duplicate", detail=f"{sku} in {warehouse_code} is already on line {seen[key]}.")
            )
            continue
        seen[key] = line
        rows.append(ImportRow(line=line, sku=sku, warehouse_code=warehouse_code, on_hand=int(raw)))
    known_warehouses = set(Warehouse.objects.values_list("code", flat=True))
    unknown_skus = skus_unknown_get(skus={row.sku for row in rows})
    for row in rows:
        if row.warehouse_code not in known_warehouses:
            problems.append(
                LineProblem(
                    line=row.line,
                    code="unknown_warehouse",
                    detail=(
                        f"There is no warehouse {row.warehouse_code!r}: create it first with "
                        f"`manage.py warehouse create {row.warehouse_code} NAME` (or in the admin)."
                    ),
                )
            )
        if row.sku in unknown_skus:
            problems.append(LineProblem(line=row.line, code="unknown_sku", detail=f"The catalog has no SKU {row.sku!r}."))
    if not rows and not problems:
        problems.append(LineProblem(line=2, code="empty", detail="The file has no rows."))
    problems_raise(problems)
    return rows


def stock_import(*, text: str, source: str = "", actor: str = SYSTEM_ACTOR, dry_run: bool = False) -> ImportResult:
    """Set on-hand levels from a CSV, all or nothing, through ledger rows of kind import; idempotent.

    Each row writes one movement of the difference to its target (none when
    already there), so importing the same file twice changes nothing. A dry
    run does all of it and rolls back.
    """
    rows = stock_import_parse(text=text)
    return transaction_run(lambda: _stock_import(rows=rows, source=source[:100], actor=actor, dry_run=dry_run))


def _stock_import(*, rows: Sequence[ImportRow], source: str, actor: str, dry_run: bool) -> ImportResult:
    warehouses = dict(Warehouse.objects.values_list("code", "pk"))
    skus = {row.sku for row in rows}
    existing = {
        key
        for chunk in selectors.chunks(skus)
        for key in StockLevel.objects.filter(sku__in=chunk).values_list("sku", "warehouse_id")
    }
    # Every row gets a stock level (0 until set below), created before the lock so that the lock covers it.
    StockLevel.objects.bulk_create(
        [
            StockLevel(sku=row.sku, warehouse_id=warehouses[row.warehouse_code])
            for row in rows
            if (row.sku, warehouses[row.warehouse_code]) not in existing
        ],
        ignore_conflicts=True,
        batch_size=_BATCH,
    )
    stock_lock(skus=skus)
    # One read after the locks: on-hand to compute each difference, and what is held, for the events (thresholds
    # are read only for SKUs that may have crossed theirs).
    positions = selectors.stock_positions(skus=skus, many=True)
    on_hand = {(p.sku, p.warehouse_id): p.on_hand for p in positions}
    changes: list[_Change] = []
    for row in rows:
        key = (row.sku, warehouses[row.warehouse_code])
        delta = row.on_hand - on_hand[key]
        if delta:
            on_hand[key] = row.on_hand
            changes.append(_Change(row=row, warehouse_id=key[1], delta=delta))
    _changes_write(changes=changes, source=source, actor=actor)
    stock_events_publish(
        before=selectors.availability_from_positions(skus=skus, positions=positions),
        after=selectors.availability_from_positions(
            skus=skus, positions=[replace(p, on_hand=on_hand[(p.sku, p.warehouse_id)]) for p in positions]
        ),
    )
    if dry_run:
        transaction.set_rollback(True, using=inventory_db())
    return ImportResult(rows=len(rows), changed=len(changes), movements=len(changes))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Change:
    row: ImportRow
    warehouse_id: int
    delta: int


def _changes_write(*, changes: Sequence[_Change], source: str, actor: str) -> None:
    """Set each changed level to its row's on-hand and write its ledger row of kind import.

    Every level exists and is locked by us. On PostgreSQL: one ``UPDATE ... FROM
    unnest(...)`` and one ``INSERT ... SELECT FROM unnest(...)`` for any number of
    rows, with the values as arrays (the ORM would build and convert a model per
    row, most of the import's time). Elsewhere: the ORM's upsert and bulk insert
    (``bulk_update`` writes one CASE branch per row and grows with the square of
    the batch).
    """
    if not changes:
        return
    connection = connections[inventory_db()]
    now = timezone.now()
    if connection.vendor != "postgresql":
        StockLevel.objects.bulk_create(
            [StockLevel(sku=c.row.sku, warehouse_id=c.warehouse_id, on_hand=c.row.on_hand) for c in changes],
            update_conflicts=True,
            unique_fields=["sku", "warehouse"],
            update_fields=["on_hand"],
            batch_size=_BATCH,
        )
        StockMovement.objects.bulk_create(
            [
                StockMovement(
                    sku=c.row.sku,
                    warehouse_id=c.warehouse_id,
                    kind=StockMovement.Kind.IMPORT,
                    quantity=c.delta,
                    reason=f"import line {c.row.line}",
                    reference=source,
                    actor=actor,
                    created_at=now,
                )
                for c in changes
            ],
            batch_size=_BATCH,
        )
        return
    quote = connection.ops.quote_name
    level, movement = StockLevel._meta, StockMovement._meta

    def column(meta: Options, name: str) -> str:
        return quote(meta.get_field(name).column)

    skus = [c.row.sku for c in changes]
    warehouse_ids = [c.warehouse_id for c in changes]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(level.db_table)} AS l SET {column(level, 'on_hand')} = v.on_hand "
            "FROM unnest(%s::varchar[], %s::bigint[], %s::integer[]) AS v(sku, warehouse_id, on_hand) "
            f"WHERE l.{column(level, 'sku')} = v.sku AND l.{column(level, 'warehouse')} = v.warehouse_id",
            [skus, warehouse_ids, [c.row.on_hand for c in changes]],
        )
        columns = ", ".join(
            column(movement, name)
            for name in ("sku", "warehouse", "kind", "quantity", "reason", "reference", "actor", "created_at")
        )
        cursor.execute(
            f"INSERT INTO {quote(movement.db_table)} ({columns}) "
            "SELECT v.sku, v.warehouse_id, %s, v.quantity, 'import line ' || v.line, %s, %s, %s "
            "FROM unnest(%s::varchar[], %s::bigint[], %s::integer[], %s::integer[]) AS v(sku, warehouse_id, quantity, line)",
            [
                StockMovement.Kind.IMPORT.value,
                source,
                actor,
                now,
                skus,
                warehouse_ids,
                [c.delta for c in changes],
                [c.row.line for c in changes],
            ],
        )
