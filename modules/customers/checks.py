"""Deployment checks of customers: `manage.py check --deploy` fails while customer tokens could be forged
or the links emailed to customers would point anywhere but the shop's storefront."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

# HS256 (what signs customer tokens and emailed links) wants a key of at least the hash's size (RFC 7518, 3.2).
SIGNING_KEY_MIN_BYTES = 32


@register(Tags.security, deploy=True)
def signing_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail while SECRET_KEY, which signs customers' tokens and links, is too short to resist guessing."""
    if settings.DEBUG or len(settings.SECRET_KEY.encode()) >= SIGNING_KEY_MIN_BYTES:
        return []
    return [
        Error(
            f"SECRET_KEY has fewer than {SIGNING_KEY_MIN_BYTES} bytes: customers' access tokens and emailed links, "
            "signed with it (HS256), could be forged by guessing it.",
            hint="Set SECRET_KEY to 50 or more random characters (changing it signs every customer out).",
            id="customers.E001",
        )
    ]


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


@register(Tags.security, deploy=True)
def storefront_url_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail while confirmation and reset links would send customers to a local or unencrypted address."""
    if settings.DEBUG:
        return []
    url = urlsplit(settings.CUSTOMERS_STOREFRONT_URL)
    if url.scheme == "https" and url.hostname and url.hostname not in LOCAL_HOSTS:
        return []
    return [
        Error(
            f"CUSTOMERS_STOREFRONT_URL is {settings.CUSTOMERS_STOREFRONT_URL!r}: the confirmation and password-reset "
            "links emailed to customers would point there, not to the shop's storefront.",
            hint="Set CUSTOMERS_STOREFRONT_URL to the storefront's public https:// address.",
            id="customers.E002",
        )
    ]
