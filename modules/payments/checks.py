"""Deployment checks of payments: `manage.py check --deploy` fails while payments would fail open."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from modules.payments.providers import STRIPE, payments_refused


@register(Tags.security, deploy=True)
def stripe_keys_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail when Stripe is the provider but its keys are missing: every payment would fail."""
    if settings.PAYMENTS_PROVIDER != STRIPE or (settings.STRIPE_API_KEY and settings.STRIPE_WEBHOOK_SECRET):
        return []
    return [
        Error(
            "PAYMENTS_PROVIDER is stripe but STRIPE_API_KEY or STRIPE_WEBHOOK_SECRET is not set.",
            hint="Set the secret API key and the webhook endpoint's signing secret (whsec_...).",
            id="payments.E002",
        )
    ]


@register(Tags.security, deploy=True)
def payment_provider_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail while the test provider (which approves any card but its test failures) is configured and not allowed."""
    if settings.DEBUG or not payments_refused():
        return []
    return [
        Error(
            "PAYMENTS_PROVIDER is the test provider (formerly CHECKOUT_PAYMENT_GATEWAY's test gateway): anyone could "
            "order without paying, so payment sessions and completing a cart answer 503 payment_not_configured.",
            hint="Set PAYMENTS_PROVIDER=stripe with its keys, or PAYMENTS_ALLOW_TEST_PROVIDER=1 "
            "(or CHECKOUT_ALLOW_TEST_GATEWAY=1) for a demo.",
            id="payments.E001",
        )
    ]
