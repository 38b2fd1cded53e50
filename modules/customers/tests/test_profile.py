"""Profile and address book through the API: one customer's, defaults kept single, addresses checked by country."""

from __future__ import annotations

import pytest

from modules.customers.tests.conftest import API, bearer

pytestmark = pytest.mark.django_db(transaction=True)

HOME = {"name": "Ada Lovelace", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117", "country": "DE"}
WORK = {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Mountain View", "region": "California", "postal_code": "94043", "country": "US"}


def test_profile_records_when_marketing_consent_was_given(api_client, customer):
    auth = bearer(customer["access"])
    given = api_client.patch(f"{API}/me/", {"first_name": "Ada", "phone": "+49 30 1234", "marketing_consent": True}, format="json", **auth)
    assert given.status_code == 200
    assert (given.json()["first_name"], given.json()["phone"], given.json()["marketing_consent"]) == ("Ada", "+49 30 1234", True)
    assert given.json()["marketing_consent_at"] is not None
    same = api_client.patch(f"{API}/me/", {"marketing_consent": True}, format="json", **auth).json()
    assert same["marketing_consent_at"] == given.json()["marketing_consent_at"]
    withdrawn = api_client.patch(f"{API}/me/", {"marketing_consent": False}, format="json", **auth).json()
    assert withdrawn["marketing_consent_at"] is None
    for bad in ({"email": "x@example.com"}, {"phone": "call me"}, {"marketing_consent": "yes please"}):
        assert api_client.patch(f"{API}/me/", bad, format="json", **auth).status_code == 400, bad


def test_address_book_keeps_one_default_of_each_kind(api_client, customer):
    auth = bearer(customer["access"])
    home = api_client.post(f"{API}/me/addresses/", HOME, format="json", **auth)
    assert home.status_code == 201 and home.json()["is_default_shipping"] and home.json()["is_default_billing"]
    work = api_client.post(f"{API}/me/addresses/", {**WORK, "is_default_shipping": True}, format="json", **auth).json()
    assert work["region"] == "CA"  # normalized by the country's rules
    book = api_client.get(f"{API}/me/addresses/", **auth).json()
    assert [(a["id"], a["is_default_shipping"], a["is_default_billing"]) for a in book] == [
        (home.json()["id"], False, True), (work["id"], True, False),
    ]
    changed = api_client.patch(f"{API}/me/addresses/{home.json()['id']}/", {"line2": "3rd floor", "is_default_shipping": True}, format="json", **auth)
    assert changed.status_code == 200 and changed.json()["line2"] == "3rd floor"
    assert not api_client.get(f"{API}/me/addresses/{work['id']}/", **auth).json()["is_default_shipping"]
    assert api_client.delete(f"{API}/me/addresses/{work['id']}/", **auth).status_code == 204
    assert len(api_client.get(f"{API}/me/addresses/", **auth).json()) == 1


def test_a_bad_address_is_400_per_field_and_nothing_is_saved(api_client, customer):
    auth = bearer(customer["access"])
    answer = api_client.post(f"{API}/me/addresses/", {**HOME, "postal_code": "ABC"}, format="json", **auth)
    assert answer.status_code == 400 and any(e["field"].endswith("postal_code") for e in answer.json()["errors"])
    assert api_client.get(f"{API}/me/addresses/", **auth).json() == []


def test_another_customers_address_is_404(api_client, customer, register, sign_in):
    mine = api_client.post(f"{API}/me/addresses/", HOME, format="json", **bearer(customer["access"])).json()
    register(email="eve@example.com")
    eve = bearer(sign_in(email="eve@example.com")["access"])
    assert api_client.get(f"{API}/me/addresses/{mine['id']}/", **eve).status_code == 404
    assert api_client.patch(f"{API}/me/addresses/{mine['id']}/", {"city": "Paris"}, format="json", **eve).status_code == 404
    assert api_client.delete(f"{API}/me/addresses/{mine['id']}/", **eve).status_code == 404
    assert api_client.get(f"{API}/me/addresses/99999999999999999999/", **eve).status_code == 404
    assert api_client.get(f"{API}/me/addresses/{mine['id']}/", **bearer(customer["access"])).json()["city"] == "Berlin"
