"""Import shipping rate bands from CSV: check the whole file, then write all of it or nothing.

Columns: ``method,currency,lower,upper,price[,free_above]`` (a header row is
optional; ``upper`` and ``free_above`` may be blank: no limit, never free).
``method`` is a method's code. For each (method, currency) the file names,
its bands in the file replace the stored ones, so a file of bands can move a
band's bounds and importing it again changes nothing; other methods and
currencies are left as they are. Used by ``manage.py import_shipping_rates``
and the admin's import page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import router, transaction

from kernel.imports import LineProblem, csv_rows_read, problems_raise
from kernel.transactions import atomic_for
from modules.shipping.models import ShippingMethod, ShippingRate
from modules.shipping.rates import Band, bands_overlap
from modules.shipping.services import rate_problems

IMPORT_COLUMNS = ("method", "currency", "lower", "upper", "price")
IMPORT_OPTIONAL = ("free_above",)
IMPORT_MAX_ROWS = 10_000
_NUMBER = re.compile(r"\d{1,12}(\.\d{1,3})?")


@dataclass(frozen=True, slots=True, kw_only=True)
class RateImportResult:
    methods: int
    bands: int
    replaced: int


def _number(raw: str) -> Decimal | None:
    return Decimal(raw) if _NUMBER.fullmatch(raw) else None


def shipping_rates_import(*, text: str, dry_run: bool = False) -> RateImportResult:
    """Replace the bands of every (method, currency) in the file with the file's; refuse the file on any problem."""
    records, problems = csv_rows_read(
        text, columns=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL, header_required=False, max_rows=IMPORT_MAX_ROWS
    )
    methods = {m.code: m for m in ShippingMethod.objects.filter(code__in={r.values["method"] for r in records})}
    bands: dict[tuple[str, str], list[tuple[int, ShippingRate]]] = {}
    for record in records:
        line, values = record.line, record.values
        method = methods.get(values["method"])
        if method is None:
            problems.append(
                LineProblem(line=line, code="unknown_method", detail=f"no shipping method {values['method'][:64]!r}.")
            )
            continue
        amounts: dict[str, Decimal | None] = {}
        bad = False
        for name in ("lower", "upper", "price", "free_above"):
            raw = values[name]
            amounts[name] = None if raw == "" and name in ("upper", "free_above") else _number(raw)
            if amounts[name] is None and not (raw == "" and name in ("upper", "free_above")):
                problems.append(
                    LineProblem(line=line, code="invalid_amount", detail=f"{name} {raw[:40]!r} is not a number like 4.90.")
                )
                bad = True
        if bad:
            continue
        # Overlap with stored bands does not count: the file's bands replace them.
        found = rate_problems(method=method, currency=values["currency"], check_overlap=False, **amounts)  # type: ignore[arg-type]
        for p in found:
            problems.append(LineProblem(line=line, code=p.code, detail=f"{p.field}: {p.detail}"))
        if not found:
            rate = ShippingRate(method=method, currency=values["currency"], **amounts)  # type: ignore[arg-type]
            bands.setdefault((method.code, values["currency"]), []).append((line, rate))
    for (code, currency), rows in bands.items():
        if bands_overlap([Band(lower=r.lower, upper=r.upper, price=r.price) for _, r in rows]):
            problems.append(LineProblem(line=rows[0][0], code="overlap", detail=f"the bands of {code} {currency} overlap."))
    problems_raise(problems)
    with atomic_for(ShippingRate):
        replaced = 0
        for code, currency in bands:
            ShippingMethod.objects.select_for_update().filter(code=code).first()
            replaced += ShippingRate.objects.filter(method=methods[code], currency=currency).delete()[0]
        ShippingRate.objects.bulk_create([rate for rows in bands.values() for _, rate in rows])
        if dry_run:
            transaction.set_rollback(True, using=router.db_for_write(ShippingRate))
    return RateImportResult(
        methods=len({code for code, _ in bands}), bands=sum(len(r) for r in bands.values()), replaced=replaced
    )
