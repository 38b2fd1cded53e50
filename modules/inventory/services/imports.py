"""Setting on-hand levels from a CSV: the whole file is checked first, then written all or nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.errors import FieldProblem, InvalidInput
from modules.inventory import selectors
from modules.inventory.models import SKU_MAX_LENGTH, SYSTEM_ACTOR, StockLevel, StockMovement, Warehouse
from modules.inventory.services.locking import stock_lock, transaction_run
from modules.inventory.services.stock_events import stock_events_publish
from modules.inventory.services.validation import ON_HAND_MAX, SKU_PATTERN, problem, skus_unknown_get


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
        raise problem("line 1", "invalid_csv", f"Not a readable CSV: {error}.") from error
    if header is None or tuple(h.strip().lower() for h in header) != IMPORT_HEADER:
        raise problem("line 1", "invalid_header", "The first line must be exactly: sku,warehouse,on_hand")
    seen: dict[tuple[str, str], int] = {}
    try:
        records = [(reader.line_num, values) for values in reader]
    except csv.Error as error:
        raise problem(f"line {reader.line_num}", "invalid_csv", f"Not a readable CSV: {error}.") from error
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
    unknown_skus = skus_unknown_get(skus={row.sku for row in rows})
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
        raise problem("line 2", "empty", "The file has no rows.")
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
    return transaction_run(lambda: _stock_import(rows=rows, source=source[:100], actor=actor))


def _stock_import(*, rows: Sequence[ImportRow], source: str, actor: str) -> ImportResult:
    warehouses = dict(Warehouse.objects.values_list("code", "pk"))
    skus = {row.sku for row in rows}
    StockLevel.objects.bulk_create(
        [StockLevel(sku=row.sku, warehouse_id=warehouses[row.warehouse_code]) for row in rows],
        ignore_conflicts=True,
        batch_size=1000,
    )
    stock_lock(skus=skus)
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
    stock_events_publish(before=before, after=selectors.availability_map(skus=skus))
    return ImportResult(rows=len(rows), changed=len(changed), movements=len(movements))
