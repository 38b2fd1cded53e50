"""``manage.py import_stock FILE.csv [--dry-run] [--actor NAME]``: set on-hand stock levels from a CSV file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kernel.import_command import ImportCommand
from modules.inventory.services.imports import stock_import


class Command(ImportCommand):
    help = (
        "Set on-hand levels from a CSV with the header sku,warehouse,on_hand. Every SKU must be in the catalog. "
        "The whole file is checked first: any bad line and nothing is imported (the first 50 problems are listed, "
        "with their count). Each change is a ledger row of kind import; importing again changes nothing."
    )

    def import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", default="import_stock", help="who to record in the ledger")

    def import_run(self, *, text: str, dry_run: bool, source: str, actor: str = "import_stock", **options: Any) -> str:
        result = stock_import(text=text, source=source, actor=actor, dry_run=dry_run)
        return (
            f"imported {result.rows} rows from {source}: {result.changed} levels changed, "
            f"{result.movements} ledger rows written"
        )
