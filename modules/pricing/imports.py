"""Import base prices from CSV: validate the whole file, then write all of it or nothing, in bulk.

Columns: ``sku,currency,amount[,compare_at]`` (a header row is optional).
A SKU must be known to the catalog (asked once per 500 SKUs, before the
transaction), as for the stock import. Used by the ``import_prices`` command
and the admin's import page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from contracts.container import services
from contracts.errors import Conflict
from kernel.batching import chunked
from kernel.imports import LineProblem, csv_rows_read, problems_raise
from modules.pricing.models import Price, PriceList, PriceListItem, window_q
from modules.pricing.money import amount_parse
from modules.pricing.selectors.prices import CurrentPrice, price_effective, prices_listed
from modules.pricing.services import price_changes_publish, price_problems, pricing_atomic

IMPORT_COLUMNS = ("sku", "currency", "amount")
IMPORT_OPTIONAL = ("compare_at",)
IMPORT_MAX_ROWS = 100_000
_CHUNK = 500  # SKUs per catalog call and per lookup
_WRITE_CHUNK = 300  # rows per INSERT or UPDATE statement (at most 5 parameters each)


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    line: int
    sku: str
    currency: str
    amount: Decimal
    compare_at: Decimal | None


def _rows_parse(text: str) -> tuple[list[_Row], list[LineProblem]]:
    """Read and check every row on its own and against the rows before it (a key priced twice)."""
    records, problems = csv_rows_read(
        text, columns=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL, header_required=False, max_rows=IMPORT_MAX_ROWS
    )
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        line, values = record.line, record.values

        def problem(code: str, detail: str, line: int = line) -> None:
            problems.append(LineProblem(line=line, code=code, detail=detail))

        sku, currency, raw_amount, raw_compare = (values[name] for name in (*IMPORT_COLUMNS, *IMPORT_OPTIONAL))
        amount, compare_at = amount_parse(raw_amount), amount_parse(raw_compare) if raw_compare else None
        if amount is None:
            problem("invalid_amount", f"amount {raw_amount[:40]!r} is not a decimal number like 19.90.")
            continue
        if raw_compare and compare_at is None:
            problem("invalid_amount", f"compare_at {raw_compare[:40]!r} is not a decimal number like 19.90.")
            continue
        found = price_problems(sku=sku, currency=currency, amount=amount, compare_at=compare_at)
        for p in found:
            problem(p.code, f"{p.field}: {p.detail}")
        if found:
            continue
        if (sku, currency) in seen:
            problem("duplicate", f"{sku} {currency} is already priced on line {seen[sku, currency]}.")
            continue
        seen[sku, currency] = line
        rows.append(_Row(line=line, sku=sku, currency=currency, amount=amount, compare_at=compare_at))
    return rows, problems


def _unknown_skus_problems(rows: Sequence[_Row]) -> list[LineProblem]:
    """Return a problem for each row whose SKU the catalog does not know; one catalog call per 500 SKUs."""
    skus = sorted({row.sku for row in rows})
    unknown: set[str] = set()
    for chunk in chunked(skus, _CHUNK):
        known = services().catalog.variants_get(skus=chunk)
        unknown.update(sku for sku in chunk if sku not in known)
    return [
        LineProblem(line=row.line, code="unknown_sku", detail=f"sku: {row.sku} is not in the catalog.")
        for row in rows
        if row.sku in unknown
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Stored:
    pk: int
    amount: Decimal
    compare_at: Decimal | None


def _existing_lock(rows: Sequence[_Row]) -> dict[tuple[str, str], _Stored]:
    """Lock and return the stored prices of the file's keys; one query per 500 SKUs of a currency."""
    existing: dict[tuple[str, str], _Stored] = {}
    by_currency: dict[str, list[str]] = {}
    for row in rows:
        by_currency.setdefault(row.currency, []).append(row.sku)
    for currency, skus in sorted(by_currency.items()):
        for chunk in chunked(skus, _CHUNK):
            locked = Price.objects.select_for_update().filter(currency=currency, sku__in=chunk)
            for pk, sku, amount, compare_at in locked.values_list("pk", "sku", "amount", "compare_at"):
                existing[sku, currency] = _Stored(pk=pk, amount=amount, compare_at=compare_at)
    return existing


def _write(sql: str, placeholder: str, values: Sequence[Sequence[object]], *, first: Sequence[object] = ()) -> None:
    """Run ``sql`` on each 300 of ``values``: ``{rows}`` becomes one ``placeholder`` per value; ``first`` goes before."""
    connection = connections[router.db_for_write(Price)]
    with connection.cursor() as cursor:
        for start in range(0, len(values), _WRITE_CHUNK):
            chunk = values[start : start + _WRITE_CHUNK]
            params = [*first, *(value for item in chunk for value in item)]
            cursor.execute(sql.format(rows=", ".join([placeholder] * len(chunk))), params)


def _prices_insert(rows: Sequence[_Row], *, now: datetime) -> None:
    """Insert new prices, 300 per ``INSERT``: Django's ``bulk_create`` spent most of its time preparing values."""
    connection = connections[router.db_for_write(Price)]
    table = connection.ops.quote_name(Price._meta.db_table)
    updated = connection.ops.adapt_datetimefield_value(now)
    _write(
        f"INSERT INTO {table} (sku, currency, amount, compare_at, updated_at) VALUES {{rows}}",
        "(%s, %s, %s, %s, %s)",
        [(row.sku, row.currency, row.amount, row.compare_at, updated) for row in rows],
    )


def _prices_update(rows: Sequence[tuple[int, _Row]], *, now: datetime) -> None:
    """Set ``amount``, ``compare_at`` and ``updated_at`` by id, 300 rows per ``UPDATE ... FROM (VALUES ...)``.

    Django's ``bulk_update`` builds a ``CASE`` per field and row, whose
    compilation alone took most of an import's time. Both SQLite (3.33+)
    and PostgreSQL name the columns of a ``VALUES`` list ``column1``...
    """
    connection = connections[router.db_for_write(Price)]
    table = connection.ops.quote_name(Price._meta.db_table)
    _write(
        f"UPDATE {table} SET amount = v.column2, compare_at = v.column3, updated_at = %s "
        f"FROM (VALUES {{rows}}) AS v WHERE {table}.id = v.column1",
        "(CAST(%s AS BIGINT), CAST(%s AS NUMERIC), CAST(%s AS NUMERIC))",
        [(pk, row.amount, row.compare_at) for pk, row in rows],
        first=[connection.ops.adapt_datetimefield_value(now)],
    )


def _listed(keys: Sequence[tuple[str, str]], *, now: datetime) -> dict[tuple[str, str], Decimal]:
    """Return the price-list amount valid at ``now`` of each key that has one (no query when no list is valid)."""
    if not keys or not PriceListItem.objects.filter(price_list__in=PriceList.objects.filter(window_q(now))).exists():
        return {}
    by_currency: dict[str, list[str]] = {}
    for sku, currency in keys:
        by_currency.setdefault(currency, []).append(sku)
    return {
        (sku, currency): amount
        for currency, skus in sorted(by_currency.items())
        for sku, amount in prices_listed(skus=skus, currency=currency, now=now).items()
    }


def prices_import(*, text: str, dry_run: bool = False) -> PriceImportResult:
    """Set base prices from CSV ``text`` (``sku,currency,amount[,compare_at]``, optional header): all or nothing.

    The whole file is validated first, including that the catalog knows each
    SKU; any bad line refuses the import with ``ImportInvalid``
    (``import_invalid``) whose ``errors`` name the first 50 problems by line
    and whose ``problem_count`` says how many there are. Prices missing from
    the file are left alone. Importing the same file again changes nothing
    and publishes nothing; otherwise ``PriceChanged`` goes out for each SKU
    whose current price (``prices_get``) moved. A dry run does all of it and
    rolls back.
    """
    rows, problems = _rows_parse(text)
    problems += _unknown_skus_problems(rows)
    problems_raise(problems)
    now = timezone.now()
    with pricing_atomic():
        existing = _existing_lock(rows)
        to_create: list[_Row] = []
        to_update: list[tuple[int, _Row]] = []
        for row in rows:
            stored = existing.get((row.sku, row.currency))
            if stored is None:
                to_create.append(row)
            elif stored.amount != row.amount or stored.compare_at != row.compare_at:
                to_update.append((stored.pk, row))
        try:
            with transaction.atomic(using=router.db_for_write(Price)):
                _prices_insert(to_create, now=now)
        except IntegrityError:
            raise Conflict("Another import created some of these prices meanwhile; import again.") from None
        _prices_update(to_update, now=now)
        changed = [*to_create, *(row for _, row in to_update)]
        listed = _listed([(row.sku, row.currency) for row in changed], now=now)
        old_prices: dict[tuple[str, str], CurrentPrice] = {}
        new_prices: dict[tuple[str, str], CurrentPrice] = {}
        for row in changed:
            key = (row.sku, row.currency)
            stored = existing.get(key)
            old = price_effective(
                sku=row.sku,
                amount=stored.amount if stored else None,
                compare_at=stored.compare_at if stored else None,
                listed=listed.get(key),
            )
            new = price_effective(sku=row.sku, amount=row.amount, compare_at=row.compare_at, listed=listed.get(key))
            if old is not None:
                old_prices[key] = old
            if new is not None:
                new_prices[key] = new
        price_changes_publish(before=old_prices, after=new_prices)
        if dry_run:
            transaction.set_rollback(True, using=router.db_for_write(Price))
    return PriceImportResult(
        created=len(to_create), updated=len(to_update), unchanged=len(rows) - len(to_create) - len(to_update)
    )
