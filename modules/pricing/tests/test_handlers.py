"""Orders confirm and give back voucher uses through checkout's events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.container import services
from contracts.events import publish
from modules.pricing.models import Voucher, VoucherRedemption
from modules.pricing.tests.factories import voucher_make

pytestmark = pytest.mark.django_db


def _placed(number: str) -> OrderPlaced:
    return OrderPlaced(
        order_number=number,
        reservation_reference=f"R-{number}",
        email="a@example.com",
        currency="EUR",
        lines=(),
        subtotal=Decimal(10),
        discount_total=Decimal(1),
        total=Decimal(9),
        voucher_code="SAVE",
    )


def _deliver(event: object, capture) -> None:
    with capture(execute=True), transaction.atomic():
        publish(event)  # type: ignore[arg-type]


def test_order_placed_confirms_and_order_cancelled_releases(django_capture_on_commit_callbacks) -> None:
    voucher_make("SAVE", usage_limit=5)
    services().pricing.voucher_redeem(
        code="SAVE", reference="O-1", email="a@example.com", currency="EUR", subtotal=Decimal(10)
    )
    _deliver(_placed("O-1"), django_capture_on_commit_callbacks)
    redemption = VoucherRedemption.objects.get(reference="O-1")
    assert redemption.state == "confirmed"

    cancelled = OrderCancelled(order_number="O-1", voucher_code="SAVE")
    _deliver(cancelled, django_capture_on_commit_callbacks)
    redemption.refresh_from_db()
    assert redemption.state == "released"
    assert Voucher.objects.get().times_used == 0

    # Replays (a new event id, as after a lost inbox) change nothing.
    _deliver(OrderCancelled(order_number="O-1"), django_capture_on_commit_callbacks)
    _deliver(_placed("O-1"), django_capture_on_commit_callbacks)
    redemption.refresh_from_db()
    assert (redemption.state, Voucher.objects.get().times_used) == ("released", 0)


def test_orders_without_a_voucher_are_ignored(django_capture_on_commit_callbacks) -> None:
    _deliver(_placed("O-9"), django_capture_on_commit_callbacks)
    _deliver(OrderCancelled(order_number="O-9"), django_capture_on_commit_callbacks)
    assert not VoucherRedemption.objects.exists()
