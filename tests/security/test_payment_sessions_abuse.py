"""Payment sessions are no card-testing oracle: opening them is limited per address, and declines cool a cart down."""

from __future__ import annotations

import pytest

from modules.payments.models import Payment
from tests.e2e.conftest import new_cart, shop  # noqa: F401  the real shop
from tests.security.test_abuse_limits import assert_throttled, limits  # noqa: F401

SESSIONS = "/api/v1/payments/sessions/"


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_repeated_declines_cool_the_carts_sessions_down(api_client, shop, new_cart, limits, settings):  # noqa: F811
    settings.CHECKOUT_PAYMENT_DECLINES_MAX = 2
    token = new_cart(MUG_1=1)
    for _ in range(2):
        assert api_client.post(SESSIONS, {"cart": token, "payment_method": "decline"}, format="json").status_code == 402
    assert_throttled(api_client.post(SESSIONS, {"cart": token, "payment_method": "pm_card_visa"}, format="json"))
    assert Payment.objects.count() == 2  # the third card was never tried
    other = new_cart(MUG_1=1)
    assert api_client.post(SESSIONS, {"cart": other, "payment_method": "pm_card_visa"}, format="json").status_code == 201


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_opening_sessions_is_limited_per_client_address(api_client, shop, new_cart, limits):  # noqa: F811
    limits["payment_session"] = "2/min"
    token = new_cart(MUG_1=1)
    for _ in range(2):
        assert api_client.post(SESSIONS, {"cart": token}, format="json").status_code == 201
    assert_throttled(api_client.post(SESSIONS, {"cart": token}, format="json"))
