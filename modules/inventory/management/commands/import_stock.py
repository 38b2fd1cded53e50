"""Set on-hand stock levels from a CSV file: ``python manage.py import_stock FILE.csv``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.errors import ContractError
from modules.inventory.services.imports import stock_import


class Command(BaseCommand):
    help = (
        "Set on-hand levels from a CSV with the header sku,warehouse,on_hand. The whole file is checked first; "
        "any bad line and nothing is imported (the first 50 problems are listed, with their total). Each change is a ledger row of kind import; re-importing is a no-op."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="path of the CSV file (UTF-8)")
        parser.add_argument("--actor", default="import_stock", help="who to record in the ledger")

    def handle(self, *args: object, file: Path, actor: str, **options: object) -> None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        try:
            result = stock_import(text=text, source=file.name, actor=actor)
        except ContractError as error:
            for problem in getattr(error, "errors", ()) or ():
                self.stderr.write(f"{file.name}: {problem.field}: {problem.detail} [{problem.code}]")
            raise CommandError(f"{file.name}: {error.detail}") from error
        self.stdout.write(
            f"imported {result.rows} rows from {file.name}: {result.changed} levels changed, "
            f"{result.movements} ledger rows written"
        )
