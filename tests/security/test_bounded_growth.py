"""Nothing grows without bound: old carts, keys and the test provider's ledger are purged in bounded batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.checkout import models as checkout
from modules.checkout.services.carts import cart_create
from modules.checkout.services.housekeeping import carts_purge

pytestmark = pytest.mark.django_db


def test_stale_carts_are_purged_in_bounded_batches(settings):
    for _ in range(5):
        cart_create(currency="EUR")
    fresh = cart_create(currency="EUR")
    checkout.Cart.objects.exclude(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(days=settings.CHECKOUT_CART_MAX_AGE_DAYS + 1))
    assert carts_purge(batch_size=2, max_batches=2) == 4  # a run stops after its batches...
    assert carts_purge(batch_size=2, max_batches=2) == 1  # ...and the next one goes on
    assert list(checkout.Cart.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_test_providers_ledger_is_purged_after_its_retention(settings):
    from decimal import Decimal

    from modules.payments import models as payments
    from modules.payments.providers.test import TestProvider
    from modules.payments.services.housekeeping import test_ledger_purge

    TestProvider().intent_create(key="K1", amount=Decimal(1), currency="EUR", metadata={}, payment_method="pm_card_visa")
    later = timezone.now() + timedelta(days=settings.PAYMENTS_TEST_LEDGER_RETENTION_DAYS + 1)
    assert test_ledger_purge() == 0
    assert test_ledger_purge(now=later) == 2 and not payments.TestIntent.objects.exists() and not payments.TestCall.objects.exists()
