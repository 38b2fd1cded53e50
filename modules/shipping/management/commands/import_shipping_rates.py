"""``manage.py import_shipping_rates FILE.csv [--dry-run]``: replace shipping rate bands from a CSV file, all or nothing."""

from __future__ import annotations

from typing import Any

from kernel.import_command import ImportCommand
from modules.shipping.imports import shipping_rates_import


class Command(ImportCommand):
    help = (
        "Replace shipping rate bands from a CSV file of method,currency,lower,upper,price[,free_above] (header optional). "
        "For each method and currency in the file, its bands replace the stored ones. The whole file is checked first: "
        "any bad line imports nothing. Running it again changes nothing."
    )

    def import_run(self, *, text: str, dry_run: bool, source: str, **options: Any) -> str:
        result = shipping_rates_import(text=text, dry_run=dry_run)
        return f"shipping rates imported: {result.bands} band(s) of {result.methods} method(s), {result.replaced} replaced"
