"""A storefront pays with Stripe end to end: the shop's API, the real stripe library, the fake Stripe server.

session → 3-D Secure → complete → capture → partial refund → webhooks, with
``PAYMENTS_PROVIDER=stripe`` pointed at the fake (``STRIPE_API_BASE``); no
network. Declines and outages are answered as the shop promises (402 with
Stripe's decline code, 503 with nothing held).
"""

from __future__ import annotations

import io
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from rest_framework.test import APIClient

from modules.payments.models import Payment, Refund
from modules.payments.tests.fake_stripe.server import FakeStripe
from modules.payments.tests.fake_stripe.webhooks import signed_delivery
from tests.e2e.conftest import complete_body

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CARTS = "/api/v1/checkout/carts/"
SESSIONS = "/api/v1/payments/sessions/"
WEBHOOK = "/webhooks/stripe/"
RETURN_URL = "https://shop.example/checkout/return"
# What the shop's endpoint subscribes to in Stripe's dashboard (the README's list).
SUBSCRIBED = (
    "payment_intent.created",
    "payment_intent.requires_action",
    "payment_intent.processing",
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "refund.created",
    "refund.updated",
)


@pytest.fixture
def stripe_fake(settings):
    with FakeStripe(hang_seconds=2.0) as fake:
        settings.PAYMENTS_PROVIDER = "stripe"
        settings.STRIPE_API_KEY = fake.secret_key
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        settings.STRIPE_API_BASE = fake.api_base
        settings.STRIPE_TIMEOUT_SECONDS = 0.5
        settings.STRIPE_RETURN_URL = RETURN_URL
        yield fake


@pytest.fixture
def staff_client():
    user = get_user_model().objects.create_user("refunds", "refunds@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="refund_payment", content_type__app_label="payments"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def visit_without_following(url: str) -> tuple[int, str]:
    """GET ``url`` as the customer's browser would, and say where it is redirected."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(Stay).open(url, timeout=5) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def webhook(client, event: dict, secret: str):
    payload, headers = signed_delivery(event, secret)
    return client.generic("POST", WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"])


def test_a_storefront_pays_with_stripe_end_to_end(api_client, shop, new_cart, stripe_fake, staff_client):
    token = new_cart(TEE_M=2, MUG_1=1)  # 49.50 EUR

    # 1. A payment session for the cart's total, paid with a card whose bank asks for 3-D Secure.
    opened = api_client.post(SESSIONS, {"cart": token, "payment_method": "pm_card_authenticationRequired"}, format="json")
    assert opened.status_code == 201, opened.json()
    session = opened.json()
    assert (session["status"], session["amount"], session["currency"]) == ("requires_action", "49.50", "EUR")
    assert session["client_secret"]
    [intent] = stripe_fake.state.intents.values()
    assert (intent["amount"], intent["currency"], intent["capture_method"]) == (4950, "eur", "manual")
    assert session["next_action"]["type"] == "redirect_to_url"

    # 2. Completing before the customer authenticated answers the provider's next action.
    complete = f"{CARTS}{token}/complete/"
    waiting = api_client.post(complete, complete_body(session=session["id"]), format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert waiting.status_code in (402, 409), waiting.json()
    problem = waiting.json()
    assert problem["code"] == "payment_action_required"
    page = problem["next_action"]["redirect_to_url"]["url"]

    # 3. The customer passes the bank's page and is sent back to the shop.
    status, location = visit_without_following(page)
    assert status == 302
    assert location.startswith(RETURN_URL) and "redirect_status=succeeded" in location
    assert stripe_fake.intent(intent["id"])["status"] == "requires_capture"

    # 4. Completing again with the same key places the order; stock is committed and the payment captured.
    placed = api_client.post(complete, complete_body(session=session["id"]), format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    assert order["total"] == "49.50"
    at_stripe = stripe_fake.intent(intent["id"])
    assert (at_stripe["status"], at_stripe["amount_received"]) == ("succeeded", 4950)
    payment = Payment.objects.get(session_id=session["id"])
    assert (payment.status, payment.order_number, payment.amount_captured) == ("captured", order["number"], Decimal("49.50"))
    read = api_client.get(f"/api/v1/checkout/orders/{order['number']}/", {"access_token": order["access_token"]})
    assert read.json()["status"] == "paid"
    assert len(stripe_fake.state.intents) == 1  # one intent, one authorization, whatever was retried

    # 5. Staff refund the mug: a partial refund at Stripe, recorded with who, why and Stripe's reference.
    refunded = staff_client.post(f"{SESSIONS}{session['id']}/refunds/", {"amount": "9.50", "reason": "mug arrived broken"}, format="json")
    assert refunded.status_code == 201, refunded.json()
    [stripe_refund] = stripe_fake.state.refunds.values()
    assert (stripe_refund["amount"], stripe_refund["payment_intent"]) == (950, intent["id"])
    refund = Refund.objects.get(provider_refund_id=stripe_refund["id"])
    assert (refund.amount, refund.reason, refund.actor) == (Decimal("9.50"), "mug arrived broken", "refunds")
    more = staff_client.post(f"{SESSIONS}{session['id']}/refunds/", {"amount": "40.01", "reason": "too much"}, format="json")
    assert more.status_code in (400, 409, 422), more.json()  # never more than was captured
    assert len(stripe_fake.state.refunds) == 1

    # 6. Stripe's webhooks arrive (signed, each once, also twice and out of order) and change nothing further.
    client = APIClient()
    events = stripe_fake.events(*SUBSCRIBED)
    assert {e["type"] for e in events} >= {"payment_intent.amount_capturable_updated", "payment_intent.succeeded", "refund.created"}
    answers = [webhook(client, event, stripe_fake.webhook_secret) for event in reversed(events)]
    assert [a.status_code for a in answers] == [200] * len(events), [a.json() for a in answers if a.status_code != 200]
    again = [webhook(client, event, stripe_fake.webhook_secret) for event in events]
    assert [a.status_code for a in again] == [200] * len(events)
    assert all(a.json()["applied"] is False for a in again)
    payment.refresh_from_db()
    assert (payment.status, payment.amount_captured, payment.amount_refunded) == ("captured", Decimal("49.50"), Decimal("9.50"))
    assert Refund.objects.filter(payment=payment).count() == 1

    # A forged or stale delivery is refused and applies nothing.
    forged = webhook(client, events[-1], "whsec_someone_else")
    assert forged.status_code == 400 and forged.json()["code"] == "webhook_invalid"


def test_a_declined_card_is_a_402_with_stripes_decline_code_and_the_cart_can_pay_again(api_client, shop, new_cart, stripe_fake):
    token = new_cart(MUG_1=1)

    declined = api_client.post(
        SESSIONS, {"cart": token, "payment_method": "pm_card_visa_chargeDeclinedInsufficientFunds"}, format="json"
    )

    assert declined.status_code == 402
    assert declined.json()["code"] == "payment_declined" and declined.json()["decline_code"] == "insufficient_funds"
    paid = api_client.post(SESSIONS, {"cart": token, "payment_method": "pm_card_visa"}, format="json")
    assert paid.status_code == 201 and paid.json()["status"] == "authorized"
    placed = api_client.post(
        f"{CARTS}{token}/complete/", complete_body(session=paid.json()["id"]), format="json", HTTP_IDEMPOTENCY_KEY="pay-2"
    )
    assert placed.status_code == 201, placed.json()


@pytest.mark.parametrize("fault", ["500", "429", "hang"])
def test_stripe_down_is_a_503_and_nothing_is_held(api_client, shop, new_cart, stripe_fake, fault):
    token = new_cart(MUG_1=1)
    stripe_fake.fail_next(fault, times=10)  # past the library's own retries

    answer = api_client.post(SESSIONS, {"cart": token, "payment_method": "pm_card_visa"}, format="json")

    assert answer.status_code == 503 and answer.json()["code"] == "payment_provider_unavailable"
    assert all(i["amount_capturable"] == 0 for i in stripe_fake.state.intents.values())


def test_a_storefront_confirming_with_stripe_js_then_completes(api_client, shop, new_cart, stripe_fake):
    token = new_cart(MUG_1=1)
    session = api_client.post(SESSIONS, {"cart": token}, format="json").json()
    assert session["status"] == "requires_payment_method"

    status, intent = stripe_fake.confirm_as_storefront(client_secret=session["client_secret"], payment_method="pm_card_visa")
    assert status == 200 and intent["status"] == "requires_capture"

    placed = api_client.post(
        f"{CARTS}{token}/complete/", complete_body(session=session["id"]), format="json", HTTP_IDEMPOTENCY_KEY="pay-3"
    )
    assert placed.status_code == 201, placed.json()
    assert stripe_fake.intent(intent["id"])["status"] == "succeeded"
    assert urllib.parse.urlsplit(stripe_fake.api_base).hostname == "127.0.0.1"


def test_library_retries_recover_a_lost_answer_without_a_second_charge(api_client, shop, new_cart, stripe_fake):
    token = new_cart(MUG_1=1)
    stripe_fake.fail_next("accept_then_hang")  # authorized at Stripe, answer lost; the library retries with the same key

    answer = api_client.post(SESSIONS, {"cart": token, "payment_method": "pm_card_visa"}, format="json")

    assert answer.status_code == 201 and answer.json()["status"] == "authorized"
    assert len(stripe_fake.state.intents) == 1 and len(stripe_fake.state.charges) == 1


def test_a_charge_whose_answer_never_came_is_released_by_reconciliation(api_client, shop, new_cart, stripe_fake, settings):
    token = new_cart(MUG_1=1)
    stripe_fake.fail_next("accept_then_hang")  # Stripe authorizes the card, the answer is lost...
    stripe_fake.fail_next("hang", times=2)  # ...and so are the library's two retries

    answer = api_client.post(SESSIONS, {"cart": token, "payment_method": "pm_card_visa"}, format="json")

    assert answer.status_code == 503 and answer.json()["code"] == "payment_provider_unavailable"
    [held] = stripe_fake.state.intents.values()
    assert held["status"] == "requires_capture"  # money held at Stripe, no order: reconciliation must let it go

    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0
    out = io.StringIO()
    call_command("payments", "reconcile", stdout=out)

    assert stripe_fake.intent(held["id"])["status"] == "canceled", out.getvalue()
    assert len(stripe_fake.state.intents) == 1
