"""Import the catalog from a CSV file: all rows or none; the first 50 bad rows reported with their lines, and the count."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from modules.catalog.imports import IMPORT_COLUMNS, CatalogImportInvalid, catalog_import_csv


class Command(BaseCommand):
    help = (
        f"Upsert products and variants from a CSV file with the columns {','.join(IMPORT_COLUMNS)}. "
        "The whole file is validated first: any bad row means nothing is written "
        "(the first 50 bad rows are listed, with their count)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8, header first)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, then write nothing")

    def handle(self, *args: object, file: str, dry_run: bool, **options: object) -> None:
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text (byte {error.start})") from None
        try:
            report = catalog_import_csv(text=text, dry_run=dry_run)
        except CatalogImportInvalid as invalid:
            for line_error in invalid.first_line_errors:
                self.stderr.write(f"{file}: {line_error}")
            if (more := len(invalid.line_errors) - len(invalid.first_line_errors)) > 0:
                self.stderr.write(f"{file}: ... and {more} more bad row(s)")
            raise CommandError(f"{len(invalid.line_errors)} bad row(s) in {file}; nothing was imported.") from None
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{report}" if report.changed else f"{prefix}nothing to change ({report.rows} rows)"
            )
        )
