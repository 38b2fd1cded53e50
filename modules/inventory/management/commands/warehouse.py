"""``manage.py warehouse create CODE NAME [--priority N] [--inactive]`` and ``manage.py warehouse list``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.errors import InvalidInput
from modules.inventory import selectors
from modules.inventory.services.warehouses import warehouse_create


class Command(BaseCommand):
    help = "Create a warehouse, or list the warehouses with their stock (allocation order: lower priority first)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list}")
        create = actions.add_parser("create", help="create a warehouse", description="Create a warehouse.")
        create.add_argument("code", help="what stock files and the ledger call it, e.g. MAIN (case matters)")
        create.add_argument("name", help='a name for people, e.g. "Berlin main warehouse"')
        create.add_argument("--priority", type=int, default=100, help="lower numbers are allocated first (default 100)")
        create.add_argument("--inactive", action="store_true", help="create it switched off: its stock is not sold")
        actions.add_parser("list", help="list the warehouses", description="List the warehouses with their stock.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            try:
                warehouse = warehouse_create(
                    code=options["code"], name=options["name"], priority=options["priority"], active=not options["inactive"]
                )
            except InvalidInput as error:
                raise CommandError(error.detail) from error
            state = "active" if warehouse.active else "inactive"
            self.stdout.write(f"Created warehouse {warehouse.code} ({warehouse.name}), priority {warehouse.priority}, {state}.")
            return
        rows = selectors.warehouses_list()
        if not rows:
            self.stdout.write("No warehouses yet: manage.py warehouse create CODE NAME [--priority N]")
            return
        self.stdout.write(f"{'code':<20} {'priority':>8} {'active':<6} {'SKUs':>7} {'on hand':>10}  name")
        for row in rows:
            self.stdout.write(
                f"{row.code:<20} {row.priority:>8} {'yes' if row.active else 'no':<6} {row.skus:>7} {row.on_hand:>10}  {row.name}"
            )
