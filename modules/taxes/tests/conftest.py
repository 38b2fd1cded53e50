"""Fixtures of the taxes tests."""

from __future__ import annotations

from django.apps import apps

# Until taxes is registered in contracts/container.py (and so installed), only its pure tests can run.
if not apps.is_installed("modules.taxes"):
    collect_ignore_glob = ["test_facade.py", "test_admin.py", "test_api.py", "test_demo.py", "test_checks.py"]
