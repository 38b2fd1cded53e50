"""Writes of the pricing module: base prices (with ``PriceChanged``), price imports and voucher uses.

Every write runs in one transaction on the pricing database, and events are
published inside it, so the outbox row commits with the change or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, router, transaction
from django.db.models import F
from django.utils import timezone

from contracts.errors import Conflict, FieldProblem, InvalidInput
from contracts.events import publish
from contracts.pricing import PriceChanged, UnknownCurrency, VoucherInvalid
from modules.pricing.models import SKU_MAX_LENGTH, Price, Voucher, VoucherRedemption
from modules.pricing.money import amount_parse, amount_problem, currency_check
from modules.pricing.selectors import voucher_check, voucher_find

IMPORT_MAX_ROWS = 100_000
_BATCH = 1000


def _atomic() -> transaction.Atomic:
    """A transaction on the database that holds pricing's tables (not necessarily ``default``)."""
    return transaction.atomic(using=router.db_for_write(Price))


def _sku_problem(sku: str) -> str | None:
    if not sku or len(sku) > SKU_MAX_LENGTH or any(c.isspace() for c in sku):
        return f"A SKU is 1 to {SKU_MAX_LENGTH} characters without spaces."
    return None


def _price_problems(*, sku: str, currency: str, amount: Decimal, compare_at: Decimal | None) -> list[FieldProblem]:
    problems = []
    if problem := _sku_problem(sku):
        problems.append(FieldProblem(field="sku", code="invalid_sku", detail=problem))
    try:
        currency_check(currency)
    except UnknownCurrency as exc:
        return [*problems, FieldProblem(field="currency", code=exc.code, detail=exc.detail)]
    if problem := amount_problem(amount, currency=currency):
        problems.append(FieldProblem(field="amount", code="invalid_amount", detail=problem))
    if compare_at is not None:
        if problem := amount_problem(compare_at, currency=currency):
            problems.append(FieldProblem(field="compare_at", code="invalid_amount", detail=problem))
        elif compare_at <= amount:
            problems.append(
                FieldProblem(field="compare_at", code="invalid_compare_at", detail="A compare-at price must be above the price.")
            )
    return problems


def _price_changed(price: Price) -> None:
    publish(PriceChanged(sku=price.sku, currency=price.currency, amount=price.amount, compare_at=price.compare_at))


def price_set(*, sku: str, currency: str, amount: Decimal, compare_at: Decimal | None = None) -> Price:
    """Create or change the base price of ``sku`` in ``currency``; publish ``PriceChanged`` when it changed.

    Setting the same price again writes and publishes nothing.
    Raises ``InvalidInput`` (with field errors) and ``UnknownCurrency``.
    """
    problems = _price_problems(sku=sku, currency=currency, amount=amount, compare_at=compare_at)
    if problems:
        raise InvalidInput("The price is not valid.", errors=tuple(problems))
    with _atomic():
        price = Price.objects.select_for_update().filter(sku=sku, currency=currency).first()
        if price is None:
            price = Price.objects.create(sku=sku, currency=currency, amount=amount, compare_at=compare_at)
        elif price.amount == amount and price.compare_at == compare_at:
            return price
        else:
            price.amount, price.compare_at = amount, compare_at
            price.save(update_fields=("amount", "compare_at", "updated"))
        _price_changed(price)
    return price


def price_remove(*, sku: str, currency: str) -> bool:
    """Remove the base price of ``sku`` in ``currency`` and publish ``PriceChanged`` with no amount.

    Return whether there was one; removing nothing is a no-op.
    """
    with _atomic():
        deleted, _ = Price.objects.filter(sku=sku, currency=currency).delete()
        if deleted:
            publish(PriceChanged(sku=sku, currency=currency, amount=None))
    return bool(deleted)


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    sku: str
    currency: str
    amount: Decimal
    compare_at: Decimal | None


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if cells and any(cell.strip() for cell in cells):
            yield number, cells


def _rows_parse(text: str) -> tuple[list[_Row], list[FieldProblem]]:
    rows: list[_Row] = []
    problems: list[FieldProblem] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        numbered = list(_csv_rows(text))
    except csv.Error as exc:
        return [], [FieldProblem(field="file", code="invalid_csv", detail=f"Not a CSV file: {exc}")]
    if numbered and [c.strip().lower() for c in numbered[0][1][:3]] == ["sku", "currency", "amount"]:
        numbered = numbered[1:]  # the header row
    if len(numbered) > IMPORT_MAX_ROWS:
        return [], [FieldProblem(field="file", code="too_many_rows", detail=f"At most {IMPORT_MAX_ROWS} rows per file.")]
    for number, cells in numbered:
        field = f"line {number}"

        def problem(code: str, detail: str, field: str = field) -> None:
            problems.append(FieldProblem(field=field, code=code, detail=detail))

        if len(cells) not in (3, 4):
            problem("invalid_row", f"Expected sku,currency,amount[,compare_at]; found {len(cells)} columns.")
            continue
        sku, currency, raw_amount = (c.strip() for c in cells[:3])
        raw_compare = cells[3].strip() if len(cells) == 4 else ""
        amount, compare_at = amount_parse(raw_amount), amount_parse(raw_compare) if raw_compare else None
        if amount is None:
            problem("invalid_amount", f"amount {raw_amount[:40]!r} is not a decimal number like 19.90.")
            continue
        if raw_compare and compare_at is None:
            problem("invalid_amount", f"compare_at {raw_compare[:40]!r} is not a decimal number like 19.90.")
            continue
        found = _price_problems(sku=sku, currency=currency, amount=amount, compare_at=compare_at)
        for p in found:
            problem(p.code, f"{p.field}: {p.detail}")
        if found:
            continue
        if (sku, currency) in seen:
            problem("duplicate", f"{sku} {currency} is already priced on line {seen[sku, currency]}.")
            continue
        seen[sku, currency] = number
        rows.append(_Row(sku=sku, currency=currency, amount=amount, compare_at=compare_at))
    return rows, problems


def prices_import(*, text: str) -> PriceImportResult:
    """Set base prices from CSV ``text`` (``sku,currency,amount[,compare_at]``, optional header): all or nothing.

    The whole file is validated first; any bad line refuses the import with
    ``InvalidInput`` whose ``errors`` name every bad line by number. Prices
    missing from the file are left alone. Importing the same file again
    changes nothing and publishes nothing. SKUs are not checked against the
    catalog: a price may exist before its product is published.
    """
    rows, problems = _rows_parse(text)
    if problems:
        raise InvalidInput(
            f"The file has {len(problems)} bad line(s); nothing was imported.", code="import_invalid", errors=tuple(problems)
        )
    created = updated = 0
    with _atomic():
        existing: dict[tuple[str, str], Price] = {}
        for currency in {row.currency for row in rows}:
            skus = [row.sku for row in rows if row.currency == currency]
            for start in range(0, len(skus), _BATCH):
                chunk = skus[start : start + _BATCH]
                existing.update(
                    ((p.sku, p.currency), p)
                    for p in Price.objects.select_for_update().filter(currency=currency, sku__in=chunk)
                )
        to_create: list[Price] = []
        to_update: list[Price] = []
        for row in rows:
            price = existing.get((row.sku, row.currency))
            if price is None:
                to_create.append(Price(sku=row.sku, currency=row.currency, amount=row.amount, compare_at=row.compare_at))
            elif price.amount != row.amount or price.compare_at != row.compare_at:
                price.amount, price.compare_at, price.updated = row.amount, row.compare_at, timezone.now()
                to_update.append(price)
        try:
            with transaction.atomic(using=router.db_for_write(Price)):
                Price.objects.bulk_create(to_create, batch_size=_BATCH)
        except IntegrityError:
            raise Conflict("Another import created some of these prices meanwhile; import again.") from None
        Price.objects.bulk_update(to_update, ("amount", "compare_at", "updated"), batch_size=_BATCH)
        for price in (*to_create, *to_update):
            _price_changed(price)
        created, updated = len(to_create), len(to_update)
    return PriceImportResult(created=created, updated=updated, unchanged=len(rows) - created - updated)


def prices_seed(*, prices: Sequence[Price]) -> int:
    """Insert the ``prices`` that do not exist yet, in bulk, without events; return how many were inserted.

    For demo data only: nothing holds copies of prices before the shop
    exists, and publishing tens of thousands of ``PriceChanged`` would only
    slow the seed down.
    """
    with _atomic():
        keys = {(p.sku, p.currency) for p in prices}
        existing: set[tuple[str, str]] = set()
        skus = sorted({sku for sku, _ in keys})
        for start in range(0, len(skus), _BATCH):
            existing.update(Price.objects.filter(sku__in=skus[start : start + _BATCH]).values_list("sku", "currency"))
        missing = [p for p in prices if (p.sku, p.currency) not in existing]
        Price.objects.bulk_create(missing, batch_size=_BATCH)
    return len(missing)


def voucher_redeem(
    *, code: str, reference: str, email: str, currency: str, subtotal: Decimal, now: datetime | None = None
) -> VoucherRedemption:
    """Take one use of the voucher ``code`` for ``reference`` (an order number); idempotent per reference.

    Exactly-once under concurrency: the voucher row is locked (``SELECT ...
    FOR UPDATE`` on PostgreSQL; on SQLite the transaction is ``IMMEDIATE``,
    so writers queue), the total and per-customer limits are checked under
    that lock, and the counter moves by a conditional ``UPDATE`` that cannot
    pass ``usage_limit`` even if the lock were missing.

    A reference that already holds a use gets it back unchanged; one whose
    use was released takes a new one, of this voucher or another. Raises ``VoucherInvalid``,
    ``UnknownCurrency`` and ``Conflict`` (the reference redeemed another voucher).
    """
    currency_check(currency)
    if not reference or len(reference) > 100:
        raise InvalidInput("A reference is 1 to 100 characters.", code="invalid_reference")
    now = now or timezone.now()
    email = email.strip().lower()
    with _atomic():
        found = voucher_find(code=code)
        voucher = Voucher.objects.select_for_update().filter(pk=found.pk).first() if found else None
        redemption = VoucherRedemption.objects.select_for_update().filter(reference=reference).first()
        if redemption is not None and voucher is not None and redemption.voucher_id != voucher.pk and redemption.holds_use:
            raise Conflict(f"Order {reference} already redeemed another voucher.", code="voucher_reference_conflict")
        if redemption is not None and redemption.holds_use:
            return redemption
        voucher = voucher_check(voucher=voucher, currency=currency, subtotal=subtotal, email=email, now=now)
        taken = Voucher.objects.filter(pk=voucher.pk)
        if voucher.usage_limit is not None:
            taken = taken.filter(times_used__lt=F("usage_limit"))
        if not taken.update(times_used=F("times_used") + 1):
            raise VoucherInvalid("This voucher has been used up.", reason="exhausted")
        if redemption is None:
            try:
                with transaction.atomic(using=router.db_for_write(VoucherRedemption)):
                    redemption = VoucherRedemption.objects.create(voucher=voucher, reference=reference, email=email)
            except IntegrityError:
                raise Conflict(f"Order {reference} is redeeming a voucher already.", code="voucher_reference_conflict") from None
        else:
            # A released use may be taken again, with this voucher: a retried checkout whose cart changed voucher.
            redemption.voucher, redemption.state, redemption.email = voucher, VoucherRedemption.State.RESERVED, email
            redemption.save(update_fields=("voucher", "state", "email", "updated"))
    return redemption


def voucher_release(*, reference: str) -> bool:
    """Give back the use taken for ``reference``; return whether one was given back (idempotent)."""
    with _atomic():
        redemption = VoucherRedemption.objects.select_for_update().filter(reference=reference).first()
        if redemption is None or not redemption.holds_use:
            return False
        redemption.state = VoucherRedemption.State.RELEASED
        redemption.save(update_fields=("state", "updated"))
        Voucher.objects.filter(pk=redemption.voucher_id, times_used__gt=0).update(times_used=F("times_used") - 1)
    return True


def voucher_redemption_confirm(*, reference: str) -> bool:
    """Mark the use taken for ``reference`` as part of a placed order; return whether it changed (idempotent).

    Only a reserved use is confirmed: a released one stays released, since
    its order's placement failed or it was cancelled already.
    """
    with _atomic():
        return bool(
            VoucherRedemption.objects.filter(reference=reference, state=VoucherRedemption.State.RESERVED).update(
                state=VoucherRedemption.State.CONFIRMED, updated=timezone.now()
            )
        )
