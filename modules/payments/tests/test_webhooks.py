"""Inbound webhooks: verified, applied once, in any order; anything unverifiable is a 400 and applies nothing."""

from __future__ import annotations

import json
import time

import pytest

from modules.payments.models import Payment, ProcessedEvent, Refund, TestIntent
from modules.payments.providers.test import SIGNATURE_HEADER, webhook_sign

SECRET = "whsec_test_secret"
URL = "/webhooks/test/"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.PAYMENTS_WEBHOOK_SECRET = SECRET


def event(event_id: str, kind: str, obj: dict, created: int = 1_000) -> bytes:
    return json.dumps({"id": event_id, "type": kind, "created": created, "data": {"object": obj}}).encode()


def intent_object(payment: Payment, status: str, **extra) -> dict:
    return {"object": "payment_intent", "id": payment.intent_id, "status": status, "amount": str(payment.amount), "currency": "eur", **extra}


def deliver(client, payload: bytes, *, secret: str = SECRET, timestamp: int | None = None, header: str | None = None):
    signature = header if header is not None else webhook_sign(payload=payload, secret=secret, timestamp=timestamp)
    return client.post(URL, payload, content_type="application/json", **{f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature})


@pytest.fixture
def waiting(open_session) -> Payment:
    """A session awaiting 3-D Secure."""
    open_session(payment_method="3ds")
    return Payment.objects.get()


def test_an_authorization_the_customer_completed_is_applied_once(client, waiting, event_probe, django_capture_on_commit_callbacks):
    from contracts.payments import PaymentAuthorized

    published = event_probe(PaymentAuthorized)
    payload = event("evt_1", "payment_intent.amount_capturable_updated", intent_object(waiting, "requires_capture"))
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(client, payload)
    assert first.status_code == 200 and first.json() == {"received": True, "applied": True}
    waiting.refresh_from_db()
    assert waiting.status == "authorized" and waiting.next_action is None
    again = deliver(client, payload)  # the provider delivers again
    assert again.status_code == 200 and again.json()["applied"] is False
    assert ProcessedEvent.objects.count() == 1 and [e.session_id for e in published] == [waiting.session_id]


def test_an_older_event_arriving_late_changes_nothing(client, waiting):
    newer = event("evt_2", "payment_intent.amount_capturable_updated", intent_object(waiting, "requires_capture"), created=2_000)
    older = event("evt_1", "payment_intent.requires_action", intent_object(waiting, "requires_action"), created=1_000)
    assert deliver(client, newer).status_code == 200
    assert deliver(client, older).json() == {"received": True, "applied": True}  # recorded, and ignored
    waiting.refresh_from_db()
    assert waiting.status == "authorized"


def test_a_captured_session_never_goes_back(client, open_session):
    open_session()
    payment = Payment.objects.get()
    deliver(client, event("evt_c", "payment_intent.succeeded", intent_object(payment, "succeeded", amount_received=str(payment.amount)), 5))
    deliver(client, event("evt_a", "payment_intent.amount_capturable_updated", intent_object(payment, "requires_capture"), 9))
    payment.refresh_from_db()
    assert (payment.status, payment.amount_captured) == ("captured", payment.amount)


def test_a_failed_payment_records_its_decline_code(client, waiting):
    obj = intent_object(waiting, "requires_payment_method", last_payment_error={"code": "card_declined", "decline_code": "do_not_honor"})
    deliver(client, event("evt_f", "payment_intent.payment_failed", obj))
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decline_code) == ("requires_payment_method", "do_not_honor")


def test_a_refund_made_at_the_provider_is_recorded_within_what_was_captured(client, open_session):
    from modules.payments.services.settlement import payment_capture

    open_session()
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(order_number="CO-1")
    payment_capture(order_number="CO-1")
    refund = {"object": "refund", "id": "re_1", "payment_intent": payment.intent_id, "amount": "10.00", "currency": "eur", "status": "succeeded"}
    assert deliver(client, event("evt_r", "charge.refunded", refund)).status_code == 200
    deliver(client, event("evt_r2", "charge.refunded", {**refund, "id": "re_2", "amount": "100.00"}))  # more than is left
    payment.refresh_from_db()
    assert payment.amount_refunded == 10 and list(Refund.objects.values_list("provider_refund_id", "actor")) == [("re_1", "provider")]


def test_a_refund_that_fails_at_the_provider_counts_as_not_refunded(client, open_session):
    from modules.payments.services.settlement import payment_capture, refund_create

    open_session()
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(order_number="CO-1")
    payment_capture(order_number="CO-1")
    payment.refresh_from_db()
    refund = refund_create(payment=payment, amount=None, reason="returned", actor="staff")
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded, refund.status) == ("refunded", payment.amount_captured, "succeeded")
    failed = {"object": "refund", "id": refund.provider_refund_id, "payment_intent": payment.intent_id,
              "amount": str(refund.amount), "currency": "eur", "status": "failed"}
    assert deliver(client, event("evt_f", "refund.failed", failed, created=2_000)).status_code == 200
    late = {**failed, "status": "succeeded"}
    assert deliver(client, event("evt_s", "refund.updated", late, created=1_500)).status_code == 200  # older, arriving late
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("captured", 0)
    assert Refund.objects.get().status == "failed"  # staff see it was not refunded, and may refund again


def test_a_charge_refunded_event_naming_no_refund_is_acknowledged_and_changes_nothing(open_session):
    """Stripe's Charge lists no refunds since API 2022-11-15: acknowledged (not retried for days), applied once."""
    from modules.payments.providers.base import ProviderEvent
    from modules.payments.services.webhooks import webhook_apply

    open_session()
    charge_refunded = ProviderEvent(id="evt_c", type="charge.refunded", created=1_000)
    assert webhook_apply(provider="test", event=charge_refunded) is True
    assert webhook_apply(provider="test", event=charge_refunded) is False
    assert ProcessedEvent.objects.filter(event_id="evt_c").count() == 1 and not Refund.objects.exists()


@pytest.mark.parametrize(
    "case",
    ["bad signature", "other secret", "old timestamp", "no header", "unknown type", "malformed", "not json"],
)
def test_anything_unverifiable_or_unknown_is_a_400_and_applies_nothing(client, waiting, case):
    payload = event("evt_x", "payment_intent.amount_capturable_updated", intent_object(waiting, "requires_capture"))
    if case == "bad signature":
        response = deliver(client, payload, header=f"t={int(time.time())},v1={'0' * 64}")
    elif case == "other secret":
        response = deliver(client, payload, secret="whsec_someone_else")
    elif case == "old timestamp":
        response = deliver(client, payload, timestamp=int(time.time()) - 3600)
    elif case == "no header":
        response = deliver(client, payload, header="")
    elif case == "unknown type":
        response = deliver(client, event("evt_x", "customer.created", {"object": "customer", "id": "cus_1"}))
    elif case == "malformed":
        response = deliver(client, json.dumps({"id": "evt_x", "type": "payment_intent.succeeded"}).encode())
    else:
        response = deliver(client, b"\xff{not json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] in ("webhook_invalid", "webhook_event_unknown")
    waiting.refresh_from_db()
    assert waiting.status == "requires_action" and not ProcessedEvent.objects.exists()


def test_only_the_configured_providers_endpoint_exists(client, db):
    assert client.post("/webhooks/stripe/", b"{}", content_type="application/json").status_code == 404


def test_an_unknown_intent_is_acknowledged_and_left_alone(client, db, checkout):
    obj = {"object": "payment_intent", "id": "pi_not_ours", "status": "succeeded", "amount": "1.00", "currency": "eur"}
    assert deliver(client, event("evt_o", "payment_intent.succeeded", obj)).status_code == 200
    assert not Payment.objects.exists() and not TestIntent.objects.exists()
