"""``manage.py import_prices FILE.csv [--dry-run]``: set base prices from a CSV file, all or nothing."""

from __future__ import annotations

from typing import Any

from kernel.import_command import ImportCommand
from modules.pricing.imports import prices_import


class Command(ImportCommand):
    help = (
        "Set base prices from a CSV file of sku,currency,amount[,compare_at] (header optional). "
        "Every SKU must be in the catalog. The whole file is checked first: any bad line imports nothing "
        "(the first 50 problems are listed, with their count). Running it again changes nothing."
    )

    def import_run(self, *, text: str, dry_run: bool, source: str, **options: Any) -> str:
        result = prices_import(text=text, dry_run=dry_run)
        return f"prices imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
