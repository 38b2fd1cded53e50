"""Deployment checks of the composition root."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

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


@register(Tags.security)
def internal_transport_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse to start with a short, unknown or malformed credential of the internal endpoints.

    Run by every management command that checks (runserver, migrate, check),
    not only ``--deploy``: a token anyone can guess is never right. The
    endpoints also refuse to serve while the serving settings are wrong.
    """
    from commerce.transport.credentials import TOKEN_MIN_LENGTH, configuration_problems

    messages: list[CheckMessage] = [
        Error(
            problem,
            hint=f"Tokens have at least {TOKEN_MIN_LENGTH} characters, e.g. python -c 'import secrets; print(secrets.token_hex(32))'.",
            id="commerce.E002",
        )
        for problem in configuration_problems()
    ]
    if settings.CONTRACTS_TOKEN:
        messages.append(
            Warning(
                "CONTRACTS_TOKEN is deprecated: it is read as CONTRACTS_CLIENT_TOKEN (the token this process "
                "presents when it calls another) and no longer makes this process serve anything.",
                hint="Set CONTRACTS_CLIENT_TOKEN (or <MODULE>_SERVICE_TOKEN) to call, and CONTRACTS_SERVE_TOKENS to serve.",
                id="commerce.W001",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def internal_allow_list_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn in production while the internal endpoints are served to any client address."""
    if not settings.CONTRACTS_SERVE_TOKENS or settings.CONTRACTS_ALLOWED_NETWORKS:
        return []
    return [
        Warning(
            "CONTRACTS_SERVE_TOKENS is set and CONTRACTS_ALLOWED_NETWORKS is not: /internal/ answers any address "
            "that reaches this listener, with only the tokens between it and a caller.",
            hint="Set CONTRACTS_ALLOWED_NETWORKS to the services' networks (CIDRs, e.g. 10.0.0.0/8), or keep /internal/ "
            "off the public proxy.",
            id="commerce.W002",
        )
    ]
