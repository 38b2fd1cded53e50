"""``manage.py import_prices FILE.csv``: set base prices from a CSV file, all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.errors import ContractError
from modules.pricing.imports import prices_import


class Command(BaseCommand):
    help = (
        "Set base prices from a CSV file of sku,currency,amount[,compare_at] (header optional). "
        "Every SKU must be in the catalog. The whole file is checked first: any bad line imports nothing "
        "(the first 50 are listed, with their count). Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8)")

    def handle(self, *args: object, file: str, **options: object) -> None:
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            result = prices_import(text=text)
        except ContractError as exc:
            listed = getattr(exc, "errors", ())
            for problem in listed:
                self.stderr.write(f"{problem.field}: {problem.detail}")
            if (total := exc.extra.get("problem_count", len(listed))) > len(listed):
                self.stderr.write(f"... and {total - len(listed)} more bad line(s)")
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"prices imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
