"""Every admin action needs a permission of its own and leaves a trace in the admin log."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from modules.checkout.models import Order

pytestmark = pytest.mark.django_db


def test_every_action_of_every_registered_model_admin_declares_a_permission():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    missing = []
    for model, model_admin in admin.site._registry.items():
        for name, (func, _, _) in model_admin.get_actions(request).items():
            if not getattr(func, "allowed_permissions", ()):
                missing.append(f"{model._meta.label}.{name}")
    assert missing == []


def _order() -> Order:
    return Order.objects.create(
        number="CO-PERMTEST01", access_token_hash="x" * 64, email="a@example.com", currency="EUR", subtotal=1,
        discount_total=0, total=1, shipping_address={}, cart_token="t", status="paid",
    )


def _staff(*codenames: str):
    user = get_user_model().objects.create_user("clerk", password="a-long-passphrase-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_a_clerk_who_may_only_view_orders_cannot_cancel_or_fulfil_them(client):
    order = _order()
    client.force_login(_staff("view_order"))
    for action in ("cancel", "mark_fulfilled"):
        client.post("/admin/checkout/order/", {"action": action, "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "paid" and not LogEntry.objects.exists()


def test_a_clerk_who_may_view_deliveries_cannot_retry_or_replay_them(client):
    from commerce.eventbus.admin import DeliveryAdmin
    from commerce.eventbus.models import Delivery

    request = RequestFactory().get("/admin/")
    request.user = _staff("view_delivery")
    actions = DeliveryAdmin(Delivery, admin.site).get_actions(request)
    assert "retry" not in actions and "replay" not in actions


def test_an_allowed_action_is_written_to_the_admin_log(client):
    order = _order()
    user = _staff("view_order", "fulfil_order")
    client.force_login(user)
    client.post("/admin/checkout/order/", {"action": "mark_fulfilled", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "fulfilled"
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_id, entry.get_change_message()) == (user.pk, str(order.pk), "Fulfilled through the admin action.")
