"""Subscribers to checkout's events: commit on OrderPlaced, return on OrderCancelled; idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.common import SkuQuantity
from contracts.events import publish
from modules.inventory.models import Reservation, StockLevel, StockMovement
from modules.inventory.services.reservations import reservation_create
from modules.inventory.services.sales import reservation_commit
from modules.inventory.tests.conftest import ledger_consistent


def placed(order_number: str, reference: str) -> OrderPlaced:
    return OrderPlaced(
        order_number=order_number,
        reservation_reference=reference,
        email="a@example.com",
        currency="EUR",
        lines=(),
        subtotal=Decimal("1.00"),
        discount_total=Decimal("0.00"),
        total=Decimal("1.00"),
    )


def deliver(event: object, capture) -> None:
    with capture(execute=True), transaction.atomic():
        publish(event)


def test_order_placed_commits_the_reservation_once(receive, django_capture_on_commit_callbacks):
    receive("A", 3)
    reservation_create(reference="O-1", lines=[SkuQuantity(sku="A", quantity=2)])
    deliver(placed("O-1", "O-1"), django_capture_on_commit_callbacks)
    deliver(placed("O-1", "O-1"), django_capture_on_commit_callbacks)  # a new event id: not deduped by the inbox
    assert Reservation.objects.get(reference="O-1").state == "committed"
    assert StockMovement.objects.filter(kind="sale", reference="O-1").count() == 1
    assert StockLevel.objects.get(sku="A").on_hand == 1


def test_order_placed_after_the_synchronous_commit_is_a_no_op(receive, django_capture_on_commit_callbacks):
    receive("A", 3)
    reservation_create(reference="O-1", lines=[SkuQuantity(sku="A", quantity=2)])
    reservation_commit(reference="O-1", order_number="O-1")
    deliver(placed("O-1", "O-1"), django_capture_on_commit_callbacks)
    assert StockMovement.objects.filter(kind="sale").count() == 1


def test_order_placed_without_a_reservation_is_logged_not_retried(db, django_capture_on_commit_callbacks, caplog):
    deliver(placed("O-9", "O-9"), django_capture_on_commit_callbacks)
    assert "not committed" in caplog.text


def test_order_cancelled_returns_the_stock_once(receive, django_capture_on_commit_callbacks):
    receive("A", 3)
    reservation_create(reference="O-1", lines=[SkuQuantity(sku="A", quantity=2)])
    reservation_commit(reference="O-1", order_number="O-1")
    deliver(OrderCancelled(order_number="O-1"), django_capture_on_commit_callbacks)
    deliver(OrderCancelled(order_number="O-1"), django_capture_on_commit_callbacks)
    assert StockMovement.objects.filter(kind="return", reference="O-1").count() == 1
    assert StockLevel.objects.get(sku="A").on_hand == 3
    assert ledger_consistent()
