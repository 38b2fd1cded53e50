"""Deployment checks of the composition root."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends that accept a message and deliver it to nobody.
_NOWHERE = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)


@register(Tags.security, deploy=True)
def email_backend_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail in production while order emails would be printed or dropped instead of sent."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in _NOWHERE:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: confirmations would be marked delivered and never sent, "
            "and customers' details would land in the logs.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, EMAIL_PORT, ...",
            id="commerce.E001",
        )
    ]
