"""``manage.py import_tax_rates FILE.csv [--dry-run]``: set tax rates from a CSV file, all or nothing."""

from __future__ import annotations

from typing import Any

from kernel.import_command import ImportCommand
from modules.taxes.imports import tax_rates_import


class Command(ImportCommand):
    help = (
        "Set tax rates from a CSV file of country,region,tax_class,rate (header optional; region blank for the whole "
        "country; rate in percent). Rates not in the file are kept. The whole file is checked first: any bad line "
        "imports nothing. Running it again changes nothing."
    )

    def import_run(self, *, text: str, dry_run: bool, source: str, **options: Any) -> str:
        result = tax_rates_import(text=text, dry_run=dry_run)
        return f"tax rates imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
