"""``manage.py payments reconcile``: settle every session stuck past its threshold, and print what changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from modules.payments.services.reconcile import payments_reconcile


class Command(BaseCommand):
    help = "Payments: `reconcile` asks the provider about stuck sessions and settles them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reconcile"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = payments_reconcile()
        for line in report:
            self.stdout.write(line)
        self.stdout.write(f"{len(report)} change(s).")
