"""Reservations that hold nothing any more are purged after their retention, in bounded batches."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contracts.common import SkuQuantity
from modules.inventory import tasks
from modules.inventory.models import Reservation, ReservationLine
from modules.inventory.services.housekeeping import reservations_purge
from modules.inventory.services.reservations import reservation_create, reservation_release
from modules.inventory.services.sales import reservation_commit


def one(reference: str) -> None:
    reservation_create(reference=reference, lines=[SkuQuantity(sku="A", quantity=1)])


def test_released_and_expired_reservations_are_purged_after_the_retention_with_their_lines(receive, settings):
    receive("A", 10)
    for reference in ("released", "expired", "committed", "active", "released-lately"):
        one(reference)
    for reference in ("released", "released-lately"):
        reservation_release(reference=reference)
    reservation_commit(reference="committed", order_number="CO-1")
    Reservation.objects.filter(reference="expired").update(state=Reservation.State.EXPIRED)
    long_ago = timezone.now() - timedelta(days=settings.INVENTORY_RESERVATION_RETENTION_DAYS, hours=1)
    Reservation.objects.exclude(reference="released-lately").update(updated_at=long_ago)

    assert tasks.reservations_purge.delay().get() == 2
    # A sale's record and a live hold stay, whatever their age; a hold ended within the retention stays too.
    assert set(Reservation.objects.values_list("reference", flat=True)) == {"committed", "active", "released-lately"}
    assert set(ReservationLine.objects.values_list("reservation__reference", flat=True)) == {"committed", "active", "released-lately"}


def test_reservations_are_purged_in_bounded_batches(receive, settings):
    receive("A", 10)
    for i in range(5):
        one(f"r{i}")
        reservation_release(reference=f"r{i}")
    later = timezone.now() + timedelta(days=settings.INVENTORY_RESERVATION_RETENTION_DAYS + 1)
    assert reservations_purge() == 0
    assert reservations_purge(now=later, batch_size=2, max_batches=2) == 4  # a run stops after its batches...
    assert reservations_purge(now=later, batch_size=2, max_batches=2) == 1  # ...and the next one goes on
    assert not Reservation.objects.exists()


def test_the_purge_is_scheduled_wherever_inventory_runs():
    from django.apps import apps

    assert apps.get_app_config("inventory").periodic_tasks["reservations-purge"] == (
        "modules.inventory.tasks.reservations_purge",
        60 * 60,
    )
