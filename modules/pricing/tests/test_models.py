"""Database constraints hold even for writes that bypass the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from modules.pricing.models import Price, Voucher
from modules.pricing.tests.factories import price_make, voucher_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "make",
    [
        lambda: price_make("A", "-0.01"),
        lambda: price_make("A", "5.00", compare_at="4.00"),
        lambda: (price_make("A", "1.00"), price_make("A", "2.00")),
        lambda: voucher_make("X", value="0"),
        lambda: voucher_make("X", value="101"),
        lambda: (voucher_make("SAME"), Voucher.objects.bulk_create([Voucher(code="same", kind="fixed", value=Decimal(1))])),
    ],
    ids=["negative price", "compare_at below", "duplicate sku+currency", "zero voucher", "over 100%", "code case"],
)
def test_the_database_refuses_impossible_rows(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_voucher_codes_are_stored_uppercase() -> None:
    assert voucher_make(" welcome10 ").code == "WELCOME10"
    assert Price.objects.count() == 0
