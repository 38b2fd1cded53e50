"""``manage.py setup_roles``: create or update the staff groups of ``commerce.roles`` (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commerce.roles import ROLES, RoleDefinitionError, roles_apply


class Command(BaseCommand):
    help = "Create or update the staff groups (catalog manager, pricing manager, warehouse, customer service, shop admin)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = roles_apply()
        except RoleDefinitionError as error:
            raise CommandError(str(error)) from error
        purposes = {role.name: role.purpose for role in ROLES}
        for result in results:
            state = "created" if result.created else ("updated" if result.added or result.removed else "unchanged")
            self.stdout.write(f"{result.name}: {state} — {purposes[result.name]}")
            if result.added and not result.created:
                self.stdout.write(f"  added: {', '.join(result.added)}")
            if result.removed:
                self.stdout.write(f"  removed: {', '.join(result.removed)}")
            if result.skipped:
                self.stdout.write(f"  skipped (not provided by this deployment): {', '.join(result.skipped)}")
        self.stdout.write("Add a staff user to a group in the admin (Users → Groups) to give them the role.")
