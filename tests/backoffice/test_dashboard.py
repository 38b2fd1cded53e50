"""The dashboard on the admin index: orders and revenue, low stock, dead or stuck deliveries, checkouts to recover."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.dashboard import dashboard_build
from commerce.eventbus.models import Delivery, OutboxEvent
from modules.checkout.models import CheckoutAttempt, Order
from modules.inventory.models import LowStockThreshold


def _delivery(state: str, *, due_minutes_ago: int, n: int) -> Delivery:
    event = OutboxEvent.objects.create(event_id=f"e{n}", name="OrderPlaced", publisher="checkout", payload={})
    return Delivery.objects.create(
        event=event, subscriber="inventory.commit", state=state, next_attempt_at=timezone.now() - timedelta(minutes=due_minutes_ago)
    )


def test_orders_and_revenue_per_currency_today_and_over_30_days(superuser, make_order):
    make_order(total="9.99")
    make_order(total="10.01")
    make_order(total="5.00", status="cancelled")
    make_order(currency="JPY", total="1500")
    old = make_order(total="100.00")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    ancient = make_order(total="1000.00")
    Order.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - timedelta(days=31))
    board = dashboard_build(user=superuser)
    assert [(r.currency, r.orders, r.revenue, r.cancelled) for r in board.today] == [
        ("EUR", 2, "20.00 EUR", 1), ("JPY", 1, "1500 JPY", 0)
    ]
    assert [(r.currency, r.orders, r.revenue) for r in board.month] == [("EUR", 3, "120.00 EUR"), ("JPY", 1, "1500 JPY")]


def test_low_stock_lists_skus_at_or_under_their_threshold(superuser, receive, settings):
    settings.INVENTORY_LOW_STOCK_THRESHOLD = 5
    receive("PLENTY", 50)
    receive("FEW", 3)
    receive("SPLIT", 3)
    receive("SPLIT", 3, warehouse="EAST")  # 6 over two warehouses: above the default of 5
    receive("WATCHED", 8)
    LowStockThreshold.objects.create(sku="WATCHED", threshold=10)
    from contracts.common import SkuQuantity
    from modules.inventory.services.reservations import reservation_create

    reservation_create(reference="r1", lines=[SkuQuantity(sku="PLENTY", quantity=46)])  # 4 left free
    board = dashboard_build(user=superuser)
    assert [(r.sku, r.available, r.threshold) for r in board.low_stock] == [
        ("FEW", 3, 5), ("PLENTY", 4, 5), ("WATCHED", 8, 10)
    ]


def test_dead_retrying_and_stuck_deliveries_are_counted(superuser):
    _delivery("dead", due_minutes_ago=60, n=1)
    _delivery("retrying", due_minutes_ago=1, n=2)
    _delivery("pending", due_minutes_ago=30, n=3)  # should have gone half an hour ago
    _delivery("pending", due_minutes_ago=0, n=4)
    _delivery("delivered", due_minutes_ago=90, n=5)
    board = dashboard_build(user=superuser)
    assert board.deliveries == {"dead": 1, "retrying": 1, "stuck": 1}
    assert board.deliveries_oldest is not None


def test_checkouts_whose_lease_ended_wait_for_recovery(superuser):
    now = timezone.now()
    CheckoutAttempt.objects.create(cart_token="c1", key="k1", fingerprint="f", order_number="CO-DIED", locked_until=now - timedelta(minutes=2))
    CheckoutAttempt.objects.create(cart_token="c2", key="k2", fingerprint="f", order_number="CO-RUNNING", locked_until=now + timedelta(minutes=2))
    CheckoutAttempt.objects.create(cart_token="c3", key="k3", fingerprint="f", order_number="CO-DONE", state="done", locked_until=now - timedelta(minutes=2))
    assert [a.order_number for a in dashboard_build(user=superuser).attempts] == ["CO-DIED"]


def test_the_index_shows_the_dashboard(client, superuser, make_order, receive):
    make_order(total="9.99")
    receive("FEW", 1)
    _delivery("dead", due_minutes_ago=60, n=1)
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    for part in ('id="dashboard-orders"', "9.99 EUR", 'id="dashboard-low-stock"', ">FEW</a>", 'id="dashboard-deliveries"',
                 "?state__exact=dead", 'id="dashboard-attempts"'):
        assert part in page, part


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        ("catalog manager", set()),
        ("pricing manager", set()),
        ("warehouse", {"low-stock"}),
        ("customer service", {"orders", "attempts"}),
        ("shop admin", {"orders", "attempts", "low-stock", "deliveries"}),
    ],
)
def test_each_role_sees_the_sections_it_may(client, staff_in, role, sections):
    client.force_login(staff_in(role))
    page = client.get(reverse("admin:index")).content.decode()
    assert {name for name in ("orders", "low-stock", "deliveries", "attempts") if f'id="dashboard-{name}"' in page} == sections
    assert ('id="dashboard"' in page) == bool(sections)
