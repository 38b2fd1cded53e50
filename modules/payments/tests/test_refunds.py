"""Refunds, full and partial, from the staff API and the admin: who, why, the provider's reference; never more
than was captured (checked, and a database constraint)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from modules.payments.models import Payment, Refund
from modules.payments.services.sessions import session_attach
from modules.payments.services.settlement import payment_capture
from modules.payments.tests.conftest import SESSIONS


@pytest.fixture
def captured(open_session) -> Payment:
    session_id = open_session().json()["id"]
    session_attach(session_id=session_id, reference="cart-1", order_number="CO-1", amount=Decimal("48.30"), currency="EUR")
    return payment_capture(order_number="CO-1")


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="refund_payment"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_partial_then_full_refund_from_the_staff_api(staff, captured):
    url = f"{SESSIONS}{captured.session_id}/refunds/"
    partial = staff.post(url, {"amount": "10.00", "reason": "scratched mug"}, format="json")
    assert partial.status_code == 201, partial.json()
    body = partial.json()
    assert (body["amount"], body["reason"], body["actor"], body["status"]) == ("10.000", "scratched mug", "clerk", "succeeded")
    assert body["provider_refund_id"].startswith("re_test_")
    assert staff.post(url, {"amount": "38.31", "reason": "too much"}, format="json").status_code == 400
    rest = staff.post(url, {"reason": "order returned"}, format="json")
    assert rest.status_code == 201 and rest.json()["amount"] == "38.300"
    captured.refresh_from_db()
    assert (captured.status, captured.amount_refunded) == ("refunded", Decimal("48.30"))
    assert staff.post(url, {"amount": "1.00", "reason": "again"}, format="json").status_code == 409
    assert [r["amount"] for r in staff.get(url).json()] == ["10.000", "38.300"]


def test_refunds_need_staff_with_the_permission(api_client, django_user_model, captured):
    url = f"{SESSIONS}{captured.session_id}/refunds/"
    assert api_client.post(url, {"reason": "x"}, format="json").status_code in (401, 403)
    clerk = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    api_client.force_authenticate(clerk)
    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 403
    assert not Refund.objects.exists()


def test_refunds_need_a_reason_and_a_capture(staff, open_session):
    session_id = open_session().json()["id"]
    url = f"{SESSIONS}{session_id}/refunds/"
    assert staff.post(url, {"amount": "1.00"}, format="json").status_code == 400
    assert staff.post(url, {"reason": "not captured yet"}, format="json").status_code == 409
    assert not Refund.objects.exists()


def test_the_database_refuses_refunding_more_than_was_captured(captured):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=captured.pk).update(amount_refunded=Decimal("48.31"))


def test_the_admin_refunds_part_with_a_log_entry(admin_client, captured):
    url = "/admin/payments/payment/"
    form = admin_client.post(url, {"action": "refund", "_selected_action": [captured.pk]})
    assert form.status_code == 200 and b"Refund payments" in form.content
    done = admin_client.post(url, {"action": "refund", "_selected_action": [captured.pk], "apply": "1", "amount": "5.00", "reason": "late delivery"})
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.actor) == (Decimal("5.00"), "late delivery", "admin")
    assert LogEntry.objects.filter(object_id=str(captured.pk), change_message__contains="Refunded 5.00").exists()
    assert admin_client.get(f"{url}{captured.pk}/change/").status_code == 200


def test_the_admin_action_needs_the_permission(client, django_user_model, captured):
    clerk = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)
    response = client.post("/admin/payments/payment/", {"action": "refund", "_selected_action": [captured.pk], "apply": "1", "reason": "x"})
    assert not Refund.objects.exists() and response.status_code in (200, 302)
