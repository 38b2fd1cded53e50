"""Paying through a payment session over HTTP, every module real, the test provider standing for the bank.

session → authenticate (3-D Secure) → complete → capture after the stock → partial refund → the provider's
webhook; and the faults: declines, an outage, and a request that died with the money held.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from modules.checkout.models import CheckoutAttempt, Order
from modules.payments.models import Payment, Refund, TestIntent
from modules.payments.providers.base import ProviderUnavailable
from modules.payments.providers.test import SIGNATURE_HEADER, TestProvider, webhook_sign
from tests.e2e.conftest import availability, complete_body, session_open

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CARTS = "/api/v1/checkout/carts/"
SECRET = "whsec_e2e"


def complete(client, token: str, session: str, key: str = "pay-1"):
    return client.post(f"{CARTS}{token}/complete/", complete_body(session=session), format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_session_authenticate_complete_capture_refund_webhook(api_client, shop, new_cart, django_user_model, client, settings):
    settings.PAYMENTS_WEBHOOK_SECRET = SECRET
    token = new_cart(TEE_M=2, MUG_1=1)
    session = session_open(api_client, token, "pm_card_threeDSecure2Required")
    assert (session["status"], session["amount"], session["currency"]) == ("requires_action", "49.50", "EUR")

    action = complete(api_client, token, session["id"])
    assert action.status_code == 402 and action.json()["code"] == "payment_action_required"
    assert action.json()["next_action"] == session["next_action"]
    assert availability(api_client, "TEE-M", "MUG-1") == {"TEE-M": 10, "MUG-1": 3}  # nothing held meanwhile

    bank = api_client.post(session["next_action"]["redirect_to_url"]["url"], {"result": "succeed"}, format="json")
    assert bank.status_code == 200
    placed = complete(api_client, token, session["id"])  # the same Idempotency-Key, after the customer authenticated
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    read = api_client.get(f"/api/v1/checkout/orders/{order['number']}/", {"access_token": order["access_token"]}).json()
    assert read["status"] == "paid" and availability(api_client, "TEE-M", "MUG-1") == {"TEE-M": 8, "MUG-1": 2}
    payment = Payment.objects.get(session_id=session["id"])
    assert (payment.status, payment.order_number, payment.amount_captured) == ("captured", order["number"], payment.amount)

    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="refund_payment"))
    staff_client = APIClient()
    staff_client.force_authenticate(staff)
    refund = staff_client.post(f"/api/v1/payments/sessions/{session['id']}/refunds/", {"amount": "9.50", "reason": "mug broken"}, format="json")
    assert refund.status_code == 201, refund.json()

    # The provider tells us of the refund too: applied once, counted once.
    obj = {"object": "refund", "id": refund.json()["provider_refund_id"], "payment_intent": payment.intent_id, "amount": "9.50", "currency": "eur", "status": "succeeded"}
    payload = json.dumps({"id": "evt_refund", "type": "charge.refunded", "created": 10, "data": {"object": obj}}).encode()
    header = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": webhook_sign(payload=payload, secret=SECRET)}
    for _ in range(2):
        assert client.post("/webhooks/test/", payload, content_type="application/json", **header).status_code == 200
    payment.refresh_from_db()
    assert payment.amount_refunded == 9.5 and Refund.objects.count() == 1 and payment.status == "captured"


def test_a_declined_card_is_402_with_its_code_and_the_cart_can_pay_again(api_client, shop, new_cart):
    token = new_cart(MUG_1=1)
    declined = api_client.post("/api/v1/payments/sessions/", {"cart": token, "payment_method": "insufficient_funds"}, format="json")
    assert declined.status_code == 402 and declined.json()["decline_code"] == "insufficient_funds"
    failed = Payment.objects.get()
    refused = complete(api_client, token, failed.session_id)
    assert refused.status_code == 402 and refused.json()["decline_code"] == "insufficient_funds"
    session = session_open(api_client, token)
    assert complete(api_client, token, session["id"], key="pay-2").status_code == 201


def test_the_provider_down_while_completing_is_503_with_nothing_held_and_the_key_free(api_client, shop, new_cart, monkeypatch):
    token = new_cart(MUG_1=1)
    session = session_open(api_client, token, "3ds")
    api_client.post(session["next_action"]["redirect_to_url"]["url"], {}, format="json")

    def down(self, **kwargs):
        raise ProviderUnavailable("timed out")

    monkeypatch.setattr(TestProvider, "intent_get", down)
    response = complete(api_client, token, session["id"])
    assert response.status_code == 503 and response.json()["code"] == "payment_provider_unavailable"
    assert availability(api_client, "MUG-1") == {"MUG-1": 3} and not CheckoutAttempt.objects.exists()
    monkeypatch.undo()
    assert complete(api_client, token, session["id"]).status_code == 201


def test_a_session_for_an_old_total_is_refused(api_client, shop, new_cart):
    token = new_cart(MUG_1=1)
    session = session_open(api_client, token)
    api_client.post(f"{CARTS}{token}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json")
    response = complete(api_client, token, session["id"])
    assert response.status_code == 409 and response.json()["code"] == "payment_amount_mismatch"
    assert Order.objects.count() == 0 and availability(api_client, "MUG-1") == {"MUG-1": 3}


def test_money_held_by_a_request_that_died_ends_released(api_client, shop, new_cart, monkeypatch, settings):
    """The provider authorized, the completing process died before the order: no order, so the money is let go."""
    from modules.checkout.services.housekeeping import checkout_attempts_abandon
    from modules.payments.services.reconcile import payments_reconcile

    token = new_cart(MUG_1=1)
    session = session_open(api_client, token)

    class Died(BaseException):
        pass

    def die(**kwargs):
        raise Died()

    monkeypatch.setattr("modules.checkout.services.placement.attempt_order_create", die)
    with pytest.raises(Died):
        complete(api_client, token, session["id"])
    monkeypatch.undo()
    assert Payment.objects.get().order_number is not None and Order.objects.count() == 0

    later = timezone.now() + timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS + 120)
    assert checkout_attempts_abandon(now=later) == 1  # stock and payment let go of the dead order number
    assert Payment.objects.get().order_number is None and availability(api_client, "MUG-1") == {"MUG-1": 3}
    report = payments_reconcile(now=timezone.now() + timedelta(seconds=settings.PAYMENTS_ABANDONED_AFTER_SECONDS + 1))
    assert report and "cancelled" in report[0]
    assert TestIntent.objects.get().status == "canceled" and Order.objects.count() == 0
