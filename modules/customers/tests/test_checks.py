"""Production fails closed: a SECRET_KEY too short to sign customers' tokens, or a storefront URL that is not the
shop's, stops `check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "shop.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "CHECKOUT_ALLOW_TEST_GATEWAY": "1",
    "CUSTOMERS_STOREFRONT_URL": "https://shop.example.com",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with the deployable's settings and ``env`` (nothing of the test settings)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "commerce.settings", **env},
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_fails_with_a_short_secret_key():
    result = manage("check", "--deploy", SECRET_KEY="short-but-set", **PRODUCTION)
    assert result.returncode != 0 and "customers.E001" in result.stderr


def test_check_deploy_accepts_a_long_secret_key():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_while_emailed_links_would_point_to_a_local_or_plain_http_storefront():
    for url in ("http://localhost:3000", "http://shop.example.com", "https://127.0.0.1"):
        result = manage("check", "--deploy", SECRET_KEY=secrets.token_urlsafe(60), **{**PRODUCTION, "CUSTOMERS_STOREFRONT_URL": url})
        assert result.returncode != 0 and "customers.E002" in result.stderr, url
