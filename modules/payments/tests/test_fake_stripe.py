"""The fake Stripe server's own rules, spoken to over raw HTTP (what the provider tests rely on without seeing)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import stripe

from modules.payments.tests.fake_stripe.forms import FormError, form_decode
from modules.payments.tests.fake_stripe.server import FakeStripe
from modules.payments.tests.fake_stripe.webhooks import signature_header


@pytest.fixture
def fake():
    with FakeStripe(hang_seconds=1.0) as server:
        yield server


def call(fake: FakeStripe, method: str, path: str, fields=(), *, key: str | None = None, api_key: str | None = None):
    """Send one request as Stripe's API expects it; return (status, headers, JSON body)."""
    data = urllib.parse.urlencode(list(fields)).encode()
    headers = {"Authorization": f"Bearer {api_key or fake.secret_key}"}
    if key:
        headers["Idempotency-Key"] = key
    url = fake.api_base + path
    if method == "GET" and data:
        url, data = f"{url}?{data.decode()}", b""
    request = urllib.request.Request(url, data=data if method == "POST" else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


CREATE = [("amount", "2000"), ("currency", "eur"), ("capture_method", "manual"), ("metadata[order]", "A-1")]


def test_form_decoding_reads_brackets_as_stripe_does():
    assert form_decode(
        [("metadata[order]", "A-1"), ("payment_method_types[]", "card"), ("expand[0]", "x"), ("a[b][c]", "1"), ("n", "")]
    ) == {"metadata": {"order": "A-1"}, "payment_method_types": ["card"], "expand": ["x"], "a": {"b": {"c": "1"}}, "n": ""}
    with pytest.raises(FormError):
        form_decode([("metadata[", "x")])


def test_an_intent_has_stripes_shape(fake):
    status, _, body = call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")

    assert status == 200
    assert body["object"] == "payment_intent" and body["id"].startswith("pi_")
    assert {
        "amount": body["amount"],
        "amount_capturable": body["amount_capturable"],
        "amount_received": body["amount_received"],
        "currency": body["currency"],
        "status": body["status"],
        "capture_method": body["capture_method"],
        "metadata": body["metadata"],
        "next_action": body["next_action"],
        "last_payment_error": body["last_payment_error"],
        "latest_charge": body["latest_charge"],
    } == {
        "amount": 2000,
        "amount_capturable": 0,
        "amount_received": 0,
        "currency": "eur",
        "status": "requires_payment_method",
        "capture_method": "manual",
        "metadata": {"order": "A-1"},
        "next_action": None,
        "last_payment_error": None,
        "latest_charge": None,
    }
    assert body["client_secret"].startswith(body["id"] + "_secret_")


def test_the_same_key_and_parameters_replay_the_stored_answer(fake):
    first = call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")
    again = call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")

    assert again[2] == first[2]
    assert again[1]["Idempotent-Replayed"] == "true"
    assert len(fake.state.intents) == 1


def test_the_same_key_with_other_parameters_is_an_idempotency_error(fake):
    call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")

    status, _, body = call(fake, "POST", "/v1/payment_intents", [*CREATE[:1], ("currency", "usd")], key="k1")

    assert status == 400 and body["error"]["type"] == "idempotency_error"
    assert len(fake.state.intents) == 1


def test_a_request_refused_in_validation_stores_nothing_under_its_key(fake):
    status, _, body = call(fake, "POST", "/v1/payment_intents", [("amount", "ten"), ("currency", "eur")], key="k1")
    assert status == 400 and body["error"]["param"] == "amount"

    status, _, _ = call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")
    assert status == 200


def test_a_decline_is_a_402_card_error_that_carries_the_intent_and_is_stored(fake):
    fields = [*CREATE, ("payment_method", "pm_card_visa_chargeDeclinedInsufficientFunds"), ("confirm", "true")]

    status, _, body = call(fake, "POST", "/v1/payment_intents", fields, key="k1")

    assert status == 402
    error = body["error"]
    assert (error["type"], error["code"], error["decline_code"]) == ("card_error", "card_declined", "insufficient_funds")
    assert error["message"] and error["payment_intent"]["status"] == "requires_payment_method"
    assert call(fake, "POST", "/v1/payment_intents", fields, key="k1")[:3:2] == (402, body)


def test_unknown_parameters_ids_keys_and_urls_answer_stripes_errors(fake):
    status, _, body = call(fake, "POST", "/v1/payment_intents", [*CREATE, ("colour", "red")])
    assert (status, body["error"]["code"], body["error"]["param"]) == (400, "parameter_unknown", "colour")

    status, _, body = call(fake, "GET", "/v1/payment_intents/pi_missing")
    assert (status, body["error"]["code"]) == (404, "resource_missing")

    status, _, body = call(fake, "POST", "/v1/payment_intents", CREATE, api_key="sk_test_wrong")
    assert status == 401 and body["error"]["type"] == "invalid_request_error"

    status, _, body = call(fake, "POST", "/v1/payment_intents", CREATE, api_key=fake.publishable_key)
    assert status == 401

    status, _, _ = call(fake, "POST", "/v1/customers", [])
    assert status == 404


def test_amount_rules_of_special_currencies(fake):
    assert call(fake, "POST", "/v1/payment_intents", [("amount", "150"), ("currency", "isk")])[0] == 400
    assert call(fake, "POST", "/v1/payment_intents", [("amount", "5125"), ("currency", "kwd")])[0] == 400
    assert call(fake, "POST", "/v1/payment_intents", [("amount", "0"), ("currency", "eur")])[0] == 400
    assert call(fake, "POST", "/v1/payment_intents", [("amount", "500"), ("currency", "jpy")])[0] == 200


@pytest.mark.parametrize(("fault", "status", "kind"), [("500", 500, "api_error"), ("429", 429, "invalid_request_error")])
def test_faults_answer_before_anything_executes(fake, fault, status, kind):
    fake.fail_next(fault)

    answered, headers, body = call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")

    assert (answered, body["error"]["type"]) == (status, kind)
    assert headers["Stripe-Should-Retry"] == "true"
    assert fake.state.intents == {}
    assert call(fake, "POST", "/v1/payment_intents", CREATE, key="k1")[0] == 200  # nothing was stored under the key


def test_a_fault_is_used_up_by_the_matching_requests_only(fake):
    fake.fail_next("500", times=2, path="/v1/refunds")

    assert call(fake, "POST", "/v1/payment_intents", CREATE)[0] == 200
    assert call(fake, "POST", "/v1/refunds", [("payment_intent", "pi_x")])[0] == 500
    assert call(fake, "POST", "/v1/refunds", [("payment_intent", "pi_x")])[0] == 500
    assert call(fake, "POST", "/v1/refunds", [("payment_intent", "pi_x")])[0] == 404


def test_the_authentication_page_redirects_back_to_the_shop(fake):
    fields = [*CREATE, ("payment_method", "pm_card_authenticationRequired"), ("confirm", "true")]
    fields.append(("return_url", "https://shop.example/back?cart=1"))
    _, _, intent = call(fake, "POST", "/v1/payment_intents", fields)
    page = intent["next_action"]["redirect_to_url"]["url"]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(page, timeout=5)

    assert redirect.value.code == 302
    location = urllib.parse.urlsplit(redirect.value.headers["Location"])
    query = urllib.parse.parse_qs(location.query)
    assert location.netloc == "shop.example"
    assert query["cart"] == ["1"] and query["payment_intent"] == [intent["id"]] and query["redirect_status"] == ["succeeded"]
    assert fake.intent(intent["id"])["status"] == "requires_capture"


def test_the_storefront_confirms_with_the_publishable_key_and_the_client_secret_only(fake):
    _, _, intent = call(fake, "POST", "/v1/payment_intents", CREATE)

    wrong = fake.confirm_as_storefront(client_secret=intent["id"] + "_secret_wrong", payment_method="pm_card_visa")
    right = fake.confirm_as_storefront(client_secret=intent["client_secret"], payment_method="pm_card_visa")

    assert wrong[0] == 400
    assert right[0] == 200 and right[1]["status"] == "requires_capture"


def test_refunds_have_stripes_shape_and_are_listed_on_the_charge(fake):
    fields = [*CREATE, ("payment_method", "pm_card_visa"), ("confirm", "true")]
    _, _, intent = call(fake, "POST", "/v1/payment_intents", fields)
    call(fake, "POST", f"/v1/payment_intents/{intent['id']}/capture", [])

    status, _, refund = call(fake, "POST", "/v1/refunds", [("payment_intent", intent["id"]), ("amount", "500")])

    assert status == 200
    assert (refund["object"], refund["amount"], refund["currency"], refund["status"], refund["payment_intent"]) == (
        "refund",
        500,
        "eur",
        "succeeded",
        intent["id"],
    )
    [charge_refunded] = fake.events("charge.refunded")
    charge = charge_refunded["data"]["object"]
    assert (charge["object"], charge["amount_refunded"], charge["refunded"]) == ("charge", 500, False)
    assert "refunds" not in charge  # not on a Charge in current API versions unless expanded
    assert fake.state.charge_object(intent["latest_charge"], expand_refunds=True)["refunds"]["data"][0]["id"] == refund["id"]


def test_a_pending_refund_settles_later_with_its_events(fake):
    fields = [*CREATE, ("payment_method", "pm_card_visa"), ("confirm", "true")]
    _, _, intent = call(fake, "POST", "/v1/payment_intents", fields)
    call(fake, "POST", f"/v1/payment_intents/{intent['id']}/capture", [])
    fake.state.refund_status = "pending"
    _, _, refund = call(fake, "POST", "/v1/refunds", [("payment_intent", intent["id"]), ("amount", "500")])

    fake.settle_refund(refund["id"], status="failed")

    assert [e["type"] for e in fake.events("refund.failed", "refund.updated")] == ["refund.failed", "refund.updated"]
    assert fake.state.charge_object(intent["latest_charge"])["amount_refunded"] == 0


def test_every_change_emits_the_event_stripe_would_send(fake):
    fields = [*CREATE, ("payment_method", "pm_card_visa"), ("confirm", "true")]
    _, _, intent = call(fake, "POST", "/v1/payment_intents", fields, key="k1")
    call(fake, "POST", f"/v1/payment_intents/{intent['id']}/capture", [("amount_to_capture", "1500")])

    events = fake.events()

    assert [e["type"] for e in events] == [
        "payment_intent.created",
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
    ]
    assert events[0]["object"] == "event" and events[0]["request"]["idempotency_key"] == "k1"
    assert events[-1]["data"]["object"]["amount_received"] == 1500


def test_the_signer_matches_the_stripe_librarys_own():
    payload = b'{"id": "evt_1"}'

    ours = signature_header(payload, "whsec_x", timestamp=1700000000)

    assert ours == stripe.WebhookSignature.generate_signature_header(payload.decode(), "whsec_x", timestamp=1700000000)


def test_deliveries_are_posted_signed_and_the_library_accepts_them(fake):
    received: list[tuple[bytes, str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        call(fake, "POST", "/v1/payment_intents", CREATE)
        statuses = fake.deliver(f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe/", fake.events())
    finally:
        server.shutdown()
        server.server_close()

    assert statuses == [200]
    [(body, signature)] = received
    event = stripe.Webhook.construct_event(body, signature, fake.webhook_secret)
    assert event.type == "payment_intent.created"
