"""``manage.py export orders|stock [--since DATE] [--output FILE]``: the admin's CSV exports, for bookkeeping and cron."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from kernel.csv_export import csv_write


def _since(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"--since {text!r} is not a date (2026-12-01) or a date and time (2026-12-01T08:00:00Z).")
        moment = datetime.combine(day, time.min)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Write orders (one row per line) or stock levels as CSV, as the admin's export actions do; "
        "cells that a spreadsheet would run as formulas are written as text."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["orders", "stock"])
        parser.add_argument("--since", help="Orders placed from this date or moment on (in the server's time zone when none is given).")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args: Any, what: str, since: str | None, output: str | None, **options: Any) -> None:
        if what == "orders":
            if not apps.is_installed("modules.checkout"):
                raise CommandError("The checkout module is not installed in this process: export orders where it runs.")
            from modules.checkout.selectors import ORDER_EXPORT_HEADER, orders_export_rows

            header, rows = ORDER_EXPORT_HEADER, orders_export_rows(since=_since(since) if since else None)
        else:
            if since:
                raise CommandError("--since applies to orders; stock levels are exported as they are now.")
            if not apps.is_installed("modules.inventory"):
                raise CommandError("The inventory module is not installed in this process: export stock where it runs.")
            from modules.inventory.selectors import STOCK_EXPORT_HEADER, stock_export_rows

            header, rows = STOCK_EXPORT_HEADER, stock_export_rows()
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = csv_write(out=out, header=header, rows=rows)
            self.stderr.write(f"Wrote {count} rows to {output}.")
        else:
            count = csv_write(out=self.stdout, header=header, rows=rows)
            self.stderr.write(f"Wrote {count} rows.")
