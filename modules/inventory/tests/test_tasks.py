"""The beat task that marks reservations past their time as expired."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contracts.common import SkuQuantity
from modules.inventory import tasks
from modules.inventory.models import Reservation
from modules.inventory.services.reservations import reservation_create, reservations_expire


def test_reservations_expire_task_expires_only_holds_past_their_time(receive):
    receive("A", 5)
    for reference in ("late-1", "late-2", "live"):
        reservation_create(reference=reference, lines=[SkuQuantity(sku="A", quantity=1)])
    Reservation.objects.exclude(reference="live").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.reservations_expire.delay().get() == 2
    assert dict(Reservation.objects.values_list("reference", "state")) == {
        "late-1": "expired",
        "late-2": "expired",
        "live": "active",
    }


def test_reservations_expire_works_in_batches(receive):
    receive("A", 5)
    for i in range(5):
        reservation_create(reference=f"r{i}", lines=[SkuQuantity(sku="A", quantity=1)])
    assert reservations_expire(now=timezone.now() + timedelta(days=1), batch_size=2) == 5
    assert set(Reservation.objects.values_list("state", flat=True)) == {"expired"}
