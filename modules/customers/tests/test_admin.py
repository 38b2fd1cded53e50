"""Admin of customers: search by email and name, deactivate (revokes tokens) and erase, each behind its permission."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from modules.customers.models import Customer
from modules.customers.tests.conftest import API, bearer

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = reverse("admin:customers_customer_changelist")


def staff(django_user_model, *codenames: str):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    for codename in ("view_customer", *codenames):
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="customers"))
    return user


def test_staff_find_customers_by_email_and_name(client, django_user_model, register):
    register(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    register(email="grace@example.com", first_name="Grace", last_name="Hopper")
    client.force_login(staff(django_user_model))
    for query in ("lovelace", "ADA@", "Ada"):
        page = client.get(CHANGELIST, {"q": query}).content.decode()
        assert "ada@example.com" in page and "grace@example.com" not in page, query
    detail = client.get(reverse("admin:customers_customer_change", args=[Customer.objects.get(email="ada@example.com").pk]))
    assert detail.status_code == 200 and "password" not in detail.content.decode().lower().split("<form")[1].split("</form>")[0]


def test_deactivating_revokes_tokens_and_needs_its_permission(client, api_client, django_user_model, customer):
    ada = Customer.objects.get()
    client.force_login(staff(django_user_model))
    refused = client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [ada.pk]})
    assert refused.status_code in (200, 302, 403) and Customer.objects.get().is_active
    django_user_model.objects.get().user_permissions.add(Permission.objects.get(codename="deactivate_customer"))
    client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [ada.pk]})
    assert not Customer.objects.get().is_active
    assert LogEntry.objects.filter(object_id=str(ada.pk), change_message__contains="Deactivated").exists()
    assert api_client.get(f"{API}/me/", **bearer(customer["access"])).status_code == 401
    assert api_client.post(f"{API}/tokens/refresh/", {"refresh": customer["refresh"]}, format="json").status_code == 401
    signed_in = api_client.post(f"{API}/sign-in/", {"email": "ada@example.com", "password": "correct horse battery staple"}, format="json")
    assert signed_in.status_code == 401


def test_a_customers_orders_are_shown_through_checkouts_contract(client, django_user_model, customer):
    from contracts.container import services_override
    from tests.fakes.checkout import FakeCheckout

    ada = Customer.objects.get()
    checkout = FakeCheckout()
    checkout.customer_orders[ada.pk] = [{"number": "CO-42", "status": "paid", "total": "9.50", "currency": "EUR"}]
    client.force_login(staff(django_user_model))
    with services_override(checkout=checkout):
        page = client.get(reverse("admin:customers_customer_change", args=[ada.pk])).content.decode()
    assert "CO-42 — paid — 9.50 EUR" in page
    assert checkout.called("personal_data_export") == [{"customer_id": ada.pk, "email": "ada@example.com"}]
