"""Import tax rates from CSV: check the whole file, then write all of it or nothing.

Columns: ``country,region,tax_class,rate`` (a header row is optional;
``region`` blank for the whole country; ``rate`` a percentage: 19 for 19 %).
Each row creates or changes the rate of its (country, region, class); rates
not in the file are left as they are, so importing the same file again
changes nothing. Used by ``manage.py import_tax_rates`` and the admin's import page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import router, transaction

from kernel.imports import LineProblem, csv_rows_read, problems_raise
from kernel.transactions import atomic_for
from modules.taxes.models import TaxRate
from modules.taxes.services import tax_rate_problems

IMPORT_COLUMNS = ("country", "region", "tax_class", "rate")
IMPORT_MAX_ROWS = 10_000
_PERCENT = re.compile(r"\d{1,3}(\.\d{1,3})?")


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxRateImportResult:
    created: int
    updated: int
    unchanged: int


def tax_rates_import(*, text: str, dry_run: bool = False) -> TaxRateImportResult:
    """Create or change every rate in the file; refuse the file on any problem."""
    records, problems = csv_rows_read(text, columns=IMPORT_COLUMNS, header_required=False, max_rows=IMPORT_MAX_ROWS)
    rows: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
    for record in records:
        line, values = record.line, record.values
        country, region, tax_class = values["country"].upper(), values["region"].upper(), values["tax_class"].lower()
        rate = Decimal(values["rate"]) if _PERCENT.fullmatch(values["rate"]) else None
        found = tax_rate_problems(country=country, region=region, tax_class=tax_class, rate=rate)
        for p in found:
            problems.append(LineProblem(line=line, code=p.code, detail=f"{p.field}: {p.detail}"))
        key = (country, region, tax_class)
        if not found and key in rows:
            problems.append(
                LineProblem(
                    line=line, code="duplicate", detail=f"{'-'.join(filter(None, key))} is already on line {rows[key][0]}."
                )
            )
        elif not found:
            assert rate is not None
            rows[key] = (line, rate)
    problems_raise(problems)
    created = updated = 0
    with atomic_for(TaxRate):
        stored = {
            (r.country, r.region, r.tax_class): r
            for r in TaxRate.objects.select_for_update().filter(country__in={key[0] for key in rows})
        }
        for key, (_, rate) in rows.items():
            existing = stored.get(key)
            if existing is None:
                TaxRate.objects.create(country=key[0], region=key[1], tax_class=key[2], rate=rate)
                created += 1
            elif existing.rate != rate:
                existing.rate = rate
                existing.save(update_fields=["rate", "updated_at"])
                updated += 1
        if dry_run:
            transaction.set_rollback(True, using=router.db_for_write(TaxRate))
    return TaxRateImportResult(created=created, updated=updated, unchanged=len(rows) - created - updated)
