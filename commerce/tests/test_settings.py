"""Settings come from the environment and fail loudly when a production secret is missing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "commerce.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_startup_error():
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_a_proper_production_environment():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="shop.example.com",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", CHECKOUT_ALLOW_TEST_GATEWAY="1",
        CUSTOMERS_STOREFRONT_URL="https://shop.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_default_is_configured_for_concurrent_writers(settings):
    from commerce.settings import database_config

    config = database_config("sqlite:////tmp/shop.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_gets_a_lock_timeout():
    from commerce.settings import database_config

    config = database_config("postgres://postgres@127.0.0.1:5432/shop")
    assert "lock_timeout" in config["OPTIONS"]["options"]
