"""The base of every ``import_*`` management command: read the file, ``--dry-run``, print the short report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.errors import ContractError
from kernel.imports import CsvUnreadable, ImportInvalid, csv_text_decode

# A command reads a file on the server, not an upload: bounded only against a wrong file (a dump, an image).
COMMAND_MAX_BYTES = 512 * 1024 * 1024


class ImportCommand(BaseCommand):
    """Import one CSV file all or nothing; a refused file prints its first problems and their count, and exits non-zero.

    A subclass sets ``help`` and implements ``import_run`` (the same call the
    admin's import page makes); ``import_arguments`` adds its own options.
    """

    max_bytes = COMMAND_MAX_BYTES

    def import_arguments(self, parser: CommandParser) -> None:
        """Add the options of this import (none by default)."""

    def import_run(self, *, text: str, dry_run: bool, source: str, **options: Any) -> str:
        """Import ``text`` (rolled back when ``dry_run``) and return a one-line summary of what it did."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="check and import, then roll back: write nothing")
        self.import_arguments(parser)

    def handle(self, *args: object, file: str, dry_run: bool, **options: Any) -> None:
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror or error}") from None
        try:
            text = csv_text_decode(raw, max_bytes=self.max_bytes)
        except CsvUnreadable as error:
            raise CommandError(f"{file}: {error}") from None
        try:
            summary = self.import_run(text=text, dry_run=dry_run, source=Path(file).name, **options)
        except ImportInvalid as invalid:
            for problem in invalid.first_problems:
                self.stderr.write(f"{file}: {problem} [{problem.code}]")
            if invalid.more:
                self.stderr.write(f"{file}: ... and {invalid.more} more problem(s)")
            raise CommandError(f"{file}: {invalid.detail}") from None
        except ContractError as error:
            raise CommandError(f"{file}: {error.detail}") from None
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}"))
