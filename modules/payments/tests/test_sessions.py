"""Payment sessions through the API and the contract, on the test provider."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.payments import (
    PaymentActionRequired,
    PaymentAmountMismatch,
    PaymentDeclined,
    PaymentNotAuthorized,
    PaymentSessionNotFound,
    PaymentSessionUsed,
)
from modules.payments.facade import PaymentsFacade
from modules.payments.models import Payment, TestIntent
from modules.payments.tests.conftest import SESSIONS

payments = PaymentsFacade()
TOTAL = Decimal("48.30")


def attach(session_id: str, number: str = "CO-1", amount: Decimal = TOTAL, reference: str = "cart-1"):
    return payments.session_attach(session_id=session_id, reference=reference, order_number=number, amount=amount, currency="EUR")


def test_a_session_is_for_the_carts_total_and_pays_at_once(open_session, checkout):
    response = open_session()
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"].startswith("ps_") and body["status"] == "authorized"
    assert (body["amount"], body["currency"], body["provider"]) == ("48.30", "EUR", "test")
    assert body["client_secret"] and body["next_action"] is None
    assert "no-store" in response["Cache-Control"]
    assert checkout.called("cart_total_get") == [{"token": "cart-1", "email": None}]


def test_a_session_without_a_method_waits_for_the_storefront(open_session, api_client):
    body = open_session(payment_method=None).json()
    assert body["status"] == "requires_payment_method" and body["client_secret"]
    with pytest.raises(PaymentNotAuthorized):
        attach(body["id"])
    assert api_client.get(f"{SESSIONS}{body['id']}/").json()["status"] == "requires_payment_method"


def test_a_declined_card_is_402_with_its_decline_code(open_session):
    response = open_session(payment_method="insufficient_funds")
    assert response.status_code == 402
    assert response.json()["code"] == "payment_declined" and response.json()["decline_code"] == "insufficient_funds"
    assert response["Content-Type"] == "application/problem+json"
    session_id = Payment.objects.get().session_id
    with pytest.raises(PaymentDeclined) as declined:
        attach(session_id)
    assert declined.value.decline_code == "insufficient_funds"


def test_a_provider_outage_is_503_and_nothing_is_held(open_session):
    response = open_session(payment_method="error")
    assert response.status_code == 503 and response.json()["code"] == "payment_provider_unavailable"
    assert not TestIntent.objects.exists()


def test_3d_secure_needs_the_customer_then_attaches(open_session, api_client):
    body = open_session(payment_method="3ds").json()
    assert body["status"] == "requires_action"
    url = body["next_action"]["redirect_to_url"]["url"]
    with pytest.raises(PaymentActionRequired) as action:
        attach(body["id"])
    assert action.value.next_action["redirect_to_url"]["url"] == url
    assert api_client.post(url, {"result": "succeed"}, format="json").status_code == 200
    session = attach(body["id"])  # asks the provider, which now holds the money
    assert (session.status, session.order_number) == ("authorized", "CO-1")


def test_a_failed_authentication_is_a_decline(open_session, api_client):
    body = open_session(payment_method="3ds").json()
    api_client.post(body["next_action"]["redirect_to_url"]["url"], {"result": "fail"}, format="json")
    with pytest.raises(PaymentDeclined) as declined:
        attach(body["id"])
    assert declined.value.decline_code == "authentication_failed"


def test_attach_checks_amount_currency_cart_and_order(open_session):
    session_id = open_session().json()["id"]
    with pytest.raises(PaymentAmountMismatch):
        attach(session_id, amount=Decimal("48.31"))
    with pytest.raises(PaymentSessionNotFound):
        attach(session_id, reference="another-cart")
    with pytest.raises(PaymentSessionNotFound):
        attach("ps_" + "0" * 24)
    assert attach(session_id).order_number == "CO-1"
    assert attach(session_id).order_number == "CO-1"  # idempotent for the same order
    with pytest.raises(PaymentSessionUsed):
        attach(session_id, number="CO-2")


def test_capture_then_release_refunds_and_cancel_excludes_capture(open_session):
    first, second = open_session().json()["id"], open_session().json()["id"]
    attach(first, number="CO-1")
    attach(second, number="CO-2")
    captured = payments.payment_capture(order_number="CO-1")
    assert (captured.status, captured.amount_captured) == ("captured", TOTAL)
    assert payments.payment_capture(order_number="CO-1").status == "captured"  # idempotent
    payments.payment_release(order_number="CO-1")
    assert payments.session_get(session_id=first).status == "refunded"
    assert TestIntent.objects.get(intent_id=Payment.objects.get(session_id=first).intent_id).amount_refunded == TOTAL
    payments.payment_release(order_number="CO-2")
    assert payments.session_get(session_id=second).status == "canceled"
    with pytest.raises(PaymentSessionUsed):
        payments.payment_capture(order_number="CO-2")
    payments.payment_release(order_number="CO-404")  # nothing attached: a no-op


def test_release_without_cancel_detaches_for_the_next_try(open_session):
    session_id = open_session().json()["id"]
    attach(session_id, number="CO-1")
    payments.payment_release(order_number="CO-1", cancel=False)
    assert payments.session_get(session_id=session_id).order_number is None
    assert attach(session_id, number="CO-2").status == "authorized"


def test_the_same_key_answers_the_same_session(checkout):
    one = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="pm_card_visa", key="k")
    two = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="pm_card_visa", key="k")
    assert one.id == two.id and TestIntent.objects.count() == 1


def test_a_timeout_after_the_provider_authorized_is_503_and_the_retry_finds_it(checkout):
    with pytest.raises(Exception) as lost:
        payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="timeout", key="t")
    assert lost.value.code == "payment_provider_unavailable"
    again = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="timeout", key="t")
    assert again.status == "authorized" and TestIntent.objects.count() == 1


def test_bad_input_is_refused(open_session, api_client, checkout):
    assert api_client.post(SESSIONS, {"cart": "x" * 65}, format="json").status_code == 400
    assert api_client.post(SESSIONS, {"cart": "cart-1", "amount": "1.00"}, format="json").status_code == 400
    assert api_client.post(SESSIONS, {"cart": "nope"}, format="json").status_code == 404
    assert api_client.get(f"{SESSIONS}ps_nope/").status_code == 404
    assert api_client.get(f"{SESSIONS}ps_{'0' * 24}/").status_code == 404
    with pytest.raises(Exception) as invalid:
        payments.session_create(reference="cart-1", amount=Decimal("-1"), currency="eur")
    assert invalid.value.code == "invalid"
    assert not Payment.objects.exists()


def test_the_test_provider_is_refused_in_production_unless_allowed(open_session, settings):
    settings.CHECKOUT_ALLOW_TEST_GATEWAY = settings.PAYMENTS_ALLOW_TEST_PROVIDER = False
    response = open_session()
    assert response.status_code == 503 and response.json()["code"] == "payment_not_configured"
    assert not Payment.objects.exists()
    settings.PAYMENTS_ALLOW_TEST_PROVIDER = True
    assert open_session().status_code == 201


def test_the_authenticate_page_exists_only_for_the_test_provider(api_client, settings, db):
    settings.PAYMENTS_PROVIDER = "modules.payments.providers.test.TestProvider"
    assert api_client.post("/api/v1/payments/test-provider/intents/pi_x/authenticate/", {}, format="json").status_code == 404
