"""Production fails closed: a SECRET_KEY too short to sign customers' tokens stops `check --deploy`."""

from __future__ import annotations

import secrets

from commerce.tests.test_settings import manage

PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "shop.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "CHECKOUT_ALLOW_TEST_GATEWAY": "1",
}


def test_check_deploy_fails_with_a_short_secret_key():
    result = manage("check", "--deploy", SECRET_KEY="short-but-set", **PRODUCTION)
    assert result.returncode != 0 and "customers.E001" in result.stderr


def test_check_deploy_accepts_a_long_secret_key():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
