"""Deployment checks of checkout: `manage.py check --deploy` fails while payments would fail open."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from modules.checkout.payments import payments_refused


@register(Tags.security, deploy=True)
def payment_gateway_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail while the test gateway (which approves any token) is configured and not explicitly allowed."""
    if settings.DEBUG or not payments_refused():
        return []
    return [
        Error(
            "CHECKOUT_PAYMENT_GATEWAY is the test gateway (or CHECKOUT_PAYMENT_METHODS offers 'test'): "
            "anyone could order without paying, so completing a cart answers 503 payment_not_configured.",
            hint="Configure a real gateway and payment methods, or set CHECKOUT_ALLOW_TEST_GATEWAY=1 for a demo.",
            id="checkout.E001",
        )
    ]
