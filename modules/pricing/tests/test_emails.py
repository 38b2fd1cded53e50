"""A per-customer voucher limit holds however the customer spells their address."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.pricing import VoucherInvalid
from modules.pricing.emails import customer_email_key
from modules.pricing.models import Voucher
from modules.pricing.services import voucher_redeem


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("Eve@Example.com", "eve@example.com"),
        (" eve+2@example.com ", "eve@example.com"),
        ("e.ve@gmail.com", "eve@gmail.com"),
        ("E.V.E+shop@googlemail.com", "eve@gmail.com"),
        ("e.ve@example.com", "e.ve@example.com"),  # dots only where the provider ignores them
        ("not-an-address", "not-an-address"),
    ],
)
def test_one_key_for_the_spellings_of_one_mailbox(spelling, key):
    assert customer_email_key(spelling) == key


@pytest.mark.django_db
def test_the_per_customer_limit_is_not_bypassed_with_a_tag_or_dots():
    Voucher.objects.create(code="ONCE", kind="percentage", value=Decimal(10), per_customer_limit=1)
    redeem = {"code": "ONCE", "currency": "EUR", "subtotal": Decimal("50.00")}
    voucher_redeem(reference="CO-1", email="eve@gmail.com", **redeem)
    for spelling in ("eve+2@gmail.com", "e.ve@gmail.com", "EVE@googlemail.com"):
        with pytest.raises(VoucherInvalid):
            voucher_redeem(reference=f"CO-{spelling}", email=spelling, **redeem)
    voucher_redeem(reference="CO-2", email="adam@gmail.com", **redeem)  # another customer still may
