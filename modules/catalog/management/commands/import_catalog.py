"""``manage.py import_catalog FILE.csv [--dry-run]``: upsert products and variants, all rows or none."""

from __future__ import annotations

from typing import Any

from kernel.import_command import ImportCommand
from modules.catalog.imports.csv_import import catalog_import_csv
from modules.catalog.imports.rows import IMPORT_COLUMNS


class Command(ImportCommand):
    help = (
        f"Upsert products and variants from a CSV file with the header {','.join(IMPORT_COLUMNS)}. "
        "The whole file is checked first: any bad row means nothing is written "
        "(the first 50 problems are listed, with their count)."
    )

    def import_run(self, *, text: str, dry_run: bool, source: str, **options: Any) -> str:
        report = catalog_import_csv(text=text, dry_run=dry_run)
        return str(report) if report.changed else f"nothing to change ({report.rows} rows)"
