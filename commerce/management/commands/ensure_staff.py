"""Make sure a staff account exists for the admin, never with a fixed password."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the admin account from ADMIN_USERNAME/ADMIN_PASSWORD/ADMIN_EMAIL, "
        "or with a generated password printed once; does nothing when a superuser exists."
    )

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password = os.environ.get("ADMIN_PASSWORD", "")
        email = os.environ.get("ADMIN_EMAIL", "admin@example.com")
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            if password:
                existing.set_password(password)
                existing.is_staff = existing.is_superuser = True
                existing.save()
                self.stdout.write(f"staff account '{username}' updated from ADMIN_PASSWORD")
            else:
                self.stdout.write(
                    f"staff account '{username}' exists (its password was printed when it was created; "
                    f"reset it with: python manage.py changepassword {username})"
                )
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            self.stdout.write(self.style.WARNING(f"created staff account '{username}' with password: {password}"))
            self.stdout.write("(shown once; set ADMIN_PASSWORD to choose your own)")
        else:
            self.stdout.write(f"created staff account '{username}' from ADMIN_PASSWORD")
