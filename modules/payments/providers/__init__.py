"""Payment providers behind one port (``base.PaymentProvider``), chosen by ``PAYMENTS_PROVIDER``."""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.module_loading import import_string

from modules.payments.providers.base import PaymentProvider

# ``PAYMENTS_PROVIDER``: "test", "stripe", or a dotted path to a class taking no arguments.
TEST = "test"
STRIPE = "stripe"


@functools.cache
def _stripe(api_key: str, webhook_secret: str, api_base: str, timeout: float, return_url: str) -> PaymentProvider:
    from modules.payments.providers.stripe import StripeProvider

    return StripeProvider(api_key=api_key, webhook_secret=webhook_secret, api_base=api_base, timeout=timeout, return_url=return_url)


def provider_get() -> PaymentProvider:
    """Return the configured provider (one Stripe client per configuration, kept)."""
    name = settings.PAYMENTS_PROVIDER
    if name == STRIPE:
        return _stripe(
            settings.STRIPE_API_KEY,
            settings.STRIPE_WEBHOOK_SECRET,
            settings.STRIPE_API_BASE,
            settings.STRIPE_TIMEOUT_SECONDS,
            settings.STRIPE_RETURN_URL,
        )
    if name == TEST:
        from modules.payments.providers.test import TestProvider

        return TestProvider()
    return import_string(name)()


def test_provider_configured() -> bool:
    """Say whether payments would go to the test provider (which approves anything but its test failures)."""
    name = settings.PAYMENTS_PROVIDER
    if name in (TEST, STRIPE):
        return name == TEST
    from modules.payments.providers.test import TestProvider

    cls = import_string(name)
    return isinstance(cls, type) and issubclass(cls, TestProvider)


def payments_refused() -> bool:
    """Say whether payments must be refused: the test provider where it is not allowed (fail closed)."""
    allowed = settings.PAYMENTS_ALLOW_TEST_PROVIDER or settings.CHECKOUT_ALLOW_TEST_GATEWAY  # the former name still works
    return not allowed and test_provider_configured()
