"""The catalog's CSV import as a whole: validate every row, then write them all in one transaction, or nothing."""

from __future__ import annotations

from django.db import transaction

from kernel.imports import problems_raise
from kernel.transactions import atomic_for
from modules.catalog import services
from modules.catalog.cache import catalog_changed
from modules.catalog.imports.rows import rows_read
from modules.catalog.imports.validation import rows_validate
from modules.catalog.imports.writes import ImportReport, rows_write
from modules.catalog.models import Product


def catalog_import_csv(*, text: str, dry_run: bool = False) -> ImportReport:
    """Validate every row of a CSV text (header first), then upsert them all in one transaction.

    ``ImportInvalid`` (``import_invalid``) writes nothing. A dry run does the
    whole import and rolls it back, so its report (and its validation) is
    exactly what a real run would do. A change the storefront shows (names,
    descriptions, categories, variants) moves its cache's generation.
    """
    rows, problems = rows_read(text)
    using = services.catalog_db()
    with atomic_for(Product):
        row_problems, existing = rows_validate(rows)
        problems_raise([*problems, *row_problems])
        if existing is None:
            return ImportReport()
        report = rows_write(rows=rows, existing=existing)
        if dry_run:
            transaction.set_rollback(True, using=using)
        elif report.changed:
            catalog_changed(using=using)
    return report
