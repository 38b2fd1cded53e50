"""Tokens: what checking one costs, and the purge of expired refresh tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.customers.models import RefreshToken, SignInSession
from modules.customers.tasks import refresh_tokens_purge
from modules.customers.tests.conftest import API, bearer

pytestmark = pytest.mark.django_db(transaction=True)


def test_checking_an_access_token_is_one_query(api_client, customer, django_assert_num_queries):
    from contracts.container import services

    with django_assert_num_queries(1):
        assert services().customers.customer_authenticate(access_token=customer["access"]).email == "ada@example.com"
    # An anonymous storefront request asks nothing of customers.
    with django_assert_num_queries(0):
        assert api_client.get("/api/v1/customers/me/").status_code == 401


def test_expired_refresh_tokens_and_their_sessions_are_purged(api_client, customer, sign_in):
    live = sign_in()
    first = RefreshToken.objects.order_by("id").first()  # the customer fixture's sign-in
    RefreshToken.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refresh_tokens_purge.delay().get() == 1
    assert SignInSession.objects.count() == 1 and RefreshToken.objects.count() == 1
    assert api_client.post(f"{API}/tokens/refresh/", {"refresh": live["refresh"]}, format="json").status_code == 200
    assert api_client.get(f"{API}/me/", **bearer(customer["access"])).status_code == 401  # its session is gone


def test_a_view_that_never_asks_who_the_customer_is_costs_no_token_check(api_client, customer, django_assert_num_queries):
    from contracts.container import services_override
    from tests.fakes.customers import FakeCustomers

    customers = FakeCustomers()
    with services_override(customers=customers):
        # The API document does not depend on who asks: the token is never checked...
        assert api_client.get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {customer['access']}").status_code == 200
        assert customers.count("customer_authenticate") == 0
        # ...while a view that needs the customer checks it, once.
        assert api_client.get(f"{API}/me/", **bearer(customer["access"])).status_code == 401  # the fake knows no one
        assert customers.count("customer_authenticate") == 1
