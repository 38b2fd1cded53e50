"""The Stripe provider through the real stripe library, against the fake Stripe HTTP server (no network)."""

from __future__ import annotations

import inspect
import json
import time
from decimal import Decimal

import pytest

from modules.payments.providers.base import PaymentProvider, ProviderDeclined, ProviderUnavailable, WebhookInvalid
from modules.payments.providers.stripe import StripeProvider
from modules.payments.providers.stripe_objects import amount_from_minor, amount_to_minor
from modules.payments.tests.fake_stripe.server import FakeStripe
from modules.payments.tests.fake_stripe.webhooks import signature_header, signed_delivery

RETURN_URL = "https://shop.example/checkout/return"
TIMEOUT = 0.5  # seconds per HTTP attempt; the fake hangs longer than this


@pytest.fixture
def fake():
    with FakeStripe(hang_seconds=4 * TIMEOUT) as server:
        yield server


def make_provider(fake: FakeStripe, **overrides) -> StripeProvider:
    options = {
        "api_key": fake.secret_key,
        "webhook_secret": fake.webhook_secret,
        "api_base": fake.api_base,
        "timeout": TIMEOUT,
        "max_network_retries": 0,
        "return_url": RETURN_URL,
        **overrides,
    }
    return StripeProvider(**options)


@pytest.fixture
def provider(fake):
    return make_provider(fake)


def authorized(provider: StripeProvider, *, key: str = "auth-1", amount: str = "42.00", currency: str = "EUR"):
    return provider.intent_create(
        key=key, amount=Decimal(amount), currency=currency, metadata={"order": "A-1"}, payment_method="pm_card_visa"
    )


def captured(provider: StripeProvider, *, amount: str = "42.00", currency: str = "EUR"):
    intent = authorized(provider, amount=amount, currency=currency)
    return provider.intent_capture(key="capture-1", intent_id=intent.id)


# ---------------------------------------------------------------------- the port


def test_the_provider_has_every_method_of_the_port_with_the_same_parameters():
    port_methods = [n for n, member in vars(PaymentProvider).items() if inspect.isfunction(member) and not n.startswith("_")]

    assert port_methods and StripeProvider.name == "stripe"
    for name in port_methods:
        expected = inspect.signature(getattr(PaymentProvider, name)).parameters
        actual = inspect.signature(getattr(StripeProvider, name)).parameters
        assert list(actual) == list(expected), name
        assert [(p.kind, p.default) for p in actual.values()] == [(p.kind, p.default) for p in expected.values()], name


# ---------------------------------------------------------------------- creating and confirming


def test_a_session_without_a_payment_method_gives_the_client_secret_and_holds_nothing(provider, fake):
    intent = provider.intent_create(key="session-1", amount=Decimal("10.50"), currency="EUR", metadata={"order": "A-1"})

    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert (intent.amount, intent.currency, intent.amount_capturable) == (Decimal("10.50"), "EUR", Decimal(0))
    assert intent.metadata == {"order": "A-1"}
    [request] = fake.writes()
    assert request.path == "/v1/payment_intents"
    assert request.idempotency_key == "session-1"
    assert request.params == {
        "amount": "1050",
        "currency": "eur",
        "capture_method": "manual",
        "payment_method_types": ["card"],
        "metadata": {"order": "A-1"},
    }


def test_confirming_with_a_card_that_authorizes_holds_the_amount_for_capture(provider, fake):
    intent = authorized(provider)

    assert intent.status == "requires_capture"
    assert (intent.amount_capturable, intent.amount_received) == (Decimal("42.00"), Decimal(0))
    assert intent.last_failure is None and intent.next_action is None
    [request] = fake.writes()
    assert request.params["confirm"] == "true" and request.params["payment_method"] == "pm_card_visa"
    assert request.params["return_url"] == RETURN_URL


def test_a_session_confirmed_by_the_storefront_is_seen_authorized(provider, fake):
    intent = provider.intent_create(key="session-1", amount=Decimal("10.50"), currency="EUR", metadata={})

    status, body = fake.confirm_as_storefront(client_secret=intent.client_secret, payment_method="pm_card_visa")

    assert status == 200 and body["status"] == "requires_capture"
    seen = provider.intent_get(intent_id=intent.id)
    assert (seen.status, seen.amount_capturable) == ("requires_capture", Decimal("10.50"))


def test_a_session_can_be_confirmed_server_side_with_its_own_key(provider, fake):
    intent = provider.intent_create(key="session-1", amount=Decimal("10.50"), currency="EUR", metadata={})

    confirmed = provider.intent_confirm(key="confirm-1", intent_id=intent.id, payment_method="pm_card_visa")

    assert (confirmed.id, confirmed.status) == (intent.id, "requires_capture")
    assert [w.idempotency_key for w in fake.writes()] == ["session-1", "confirm-1"]


@pytest.mark.parametrize(
    ("amount", "currency", "sent", "read_back"),
    [
        ("10.50", "EUR", "1050", Decimal("10.50")),
        ("500", "JPY", "500", Decimal(500)),  # zero-decimal: whole yen
        ("12000", "KRW", "12000", Decimal(12000)),
        ("5.12", "KWD", "5120", Decimal("5.120")),  # three-decimal, last digit 0
        ("100", "ISK", "10000", Decimal(100)),  # whole krónur written in hundredths
        ("0.50", "usd", "50", Decimal("0.50")),
    ],
)
def test_amounts_go_to_stripe_in_minor_units_and_come_back_in_major_units(provider, fake, amount, currency, sent, read_back):
    intent = provider.intent_create(key=f"k-{currency}", amount=Decimal(amount), currency=currency, metadata={})

    assert fake.writes()[-1].params["amount"] == sent
    assert intent.amount == read_back
    assert intent.currency == currency.upper()


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("10.5", "JPY"), ("1.005", "EUR"), ("1.5", "ISK"), ("1.234", "KWD"), ("0", "EUR"), ("-1", "EUR"), ("NaN", "EUR")],
)
def test_an_amount_the_currency_cannot_hold_is_refused_before_calling_stripe(provider, fake, amount, currency):
    with pytest.raises(ValueError):
        provider.intent_create(key="k", amount=Decimal(amount), currency=currency, metadata={})
    assert fake.requests == []


def test_minor_units_round_trip():
    for currency, amount in (("EUR", "19.99"), ("JPY", "1999"), ("BHD", "1.99"), ("ISK", "1999")):
        assert amount_from_minor(amount_to_minor(Decimal(amount), currency), currency) == Decimal(amount)


# ---------------------------------------------------------------------- declines


@pytest.mark.parametrize(
    ("payment_method", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ],
)
def test_a_declined_card_raises_declined_with_the_decline_code_and_nothing_is_held(
    provider, fake, payment_method, code, decline_code
):
    with pytest.raises(ProviderDeclined) as raised:
        provider.intent_create(
            key="k", amount=Decimal("42.00"), currency="EUR", metadata={}, payment_method=payment_method
        )

    assert (raised.value.failure.code, raised.value.failure.decline_code) == (code, decline_code)
    assert raised.value.failure.message
    [intent] = fake.state.intents.values()
    assert (intent["status"], intent["amount_capturable"]) == ("requires_payment_method", 0)
    seen = provider.intent_get(intent_id=intent["id"])
    assert seen.last_failure is not None and seen.last_failure.decline_code == decline_code


def test_a_decline_replays_as_the_same_decline_for_the_same_key(provider, fake):
    def attempt():
        with pytest.raises(ProviderDeclined) as raised:
            provider.intent_create(
                key="k", amount=Decimal("42.00"), currency="EUR", metadata={}, payment_method="pm_card_chargeDeclined"
            )
        return raised.value.failure

    assert attempt() == attempt()
    assert len(fake.state.intents) == 1


# ---------------------------------------------------------------------- 3-D Secure


def test_a_card_that_needs_authentication_answers_the_banks_redirect(provider, fake):
    intent = provider.intent_create(
        key="k", amount=Decimal("42.00"), currency="EUR", metadata={}, payment_method="pm_card_authenticationRequired"
    )

    assert intent.status == "requires_action"
    assert intent.next_action is not None and intent.next_action["type"] == "redirect_to_url"
    assert intent.next_action["redirect_to_url"]["return_url"] == RETURN_URL
    assert intent.next_action["redirect_to_url"]["url"].startswith(fake.api_base + "/3ds/")

    fake.authenticate(intent.id)

    seen = provider.intent_get(intent_id=intent.id)
    assert (seen.status, seen.amount_capturable, seen.next_action) == ("requires_capture", Decimal("42.00"), None)


def test_without_a_return_url_the_next_action_is_for_stripe_js(fake):
    provider = make_provider(fake, return_url="")

    intent = provider.intent_create(
        key="k", amount=Decimal("42.00"), currency="EUR", metadata={}, payment_method="pm_card_authenticationRequired"
    )

    assert intent.next_action is not None and intent.next_action["type"] == "use_stripe_sdk"
    assert "return_url" not in fake.writes()[0].params


def test_a_failed_authentication_leaves_nothing_held_and_says_why(provider, fake):
    intent = provider.intent_create(
        key="k", amount=Decimal("42.00"), currency="EUR", metadata={}, payment_method="pm_card_authenticationRequired"
    )

    fake.authenticate(intent.id, succeed=False)

    seen = provider.intent_get(intent_id=intent.id)
    assert (seen.status, seen.amount_capturable) == ("requires_payment_method", Decimal(0))
    assert seen.last_failure is not None and seen.last_failure.code == "payment_intent_authentication_failure"


# ---------------------------------------------------------------------- capture and cancel


def test_capture_takes_everything_that_is_held(provider):
    intent = authorized(provider)

    done = provider.intent_capture(key="capture-1", intent_id=intent.id)

    assert (done.status, done.amount_received, done.amount_capturable) == ("succeeded", Decimal("42.00"), Decimal(0))


def test_a_partial_capture_takes_that_amount_and_releases_the_rest(provider, fake):
    intent = authorized(provider)

    done = provider.intent_capture(key="capture-1", intent_id=intent.id, amount=Decimal("30.00"))

    assert (done.status, done.amount_received, done.amount_capturable) == ("succeeded", Decimal("30.00"), Decimal(0))
    assert fake.writes()[-1].params == {"amount_to_capture": "3000"}


def test_cancel_releases_the_hold(provider):
    intent = authorized(provider)

    done = provider.intent_cancel(key="cancel-1", intent_id=intent.id)

    assert (done.status, done.amount_capturable, done.amount_received) == ("canceled", Decimal(0), Decimal(0))


def test_capturing_a_cancelled_intent_is_refused_with_stripes_code(provider):
    intent = authorized(provider)
    provider.intent_cancel(key="cancel-1", intent_id=intent.id)

    with pytest.raises(ProviderDeclined) as raised:
        provider.intent_capture(key="capture-1", intent_id=intent.id)

    assert raised.value.failure.code == "payment_intent_unexpected_state"


def test_an_unknown_intent_is_refused_with_resource_missing(provider):
    with pytest.raises(ProviderDeclined) as raised:
        provider.intent_get(intent_id="pi_doesnotexist")

    assert raised.value.failure.code == "resource_missing"


# ---------------------------------------------------------------------- refunds


def test_partial_refunds_then_the_rest(provider, fake):
    intent = captured(provider)

    first = provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("10.00"))
    rest = provider.refund_create(key="refund-2", intent_id=intent.id, amount=Decimal("32.00"))

    assert (first.amount, first.currency, first.status, first.intent_id) == (Decimal("10.00"), "EUR", "succeeded", intent.id)
    assert rest.amount == Decimal("32.00") and rest.id != first.id
    charge = fake.state.charge_object(fake.intent(intent.id)["latest_charge"])
    assert (charge["amount_refunded"], charge["refunded"]) == (4200, True)
    assert fake.writes()[-1].params == {"payment_intent": intent.id, "amount": "3200"}


def test_a_full_refund_in_a_zero_decimal_currency(provider, fake):
    intent = captured(provider, amount="5000", currency="JPY")

    refund = provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal(5000))

    assert (refund.amount, refund.currency) == (Decimal(5000), "JPY")
    assert fake.writes()[-1].params["amount"] == "5000"


def test_refunding_more_than_is_left_is_refused_and_nothing_is_refunded(provider, fake):
    intent = captured(provider)
    provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("40.00"))

    with pytest.raises(ProviderDeclined) as raised:
        provider.refund_create(key="refund-2", intent_id=intent.id, amount=Decimal("2.01"))

    assert raised.value.failure.code == "amount_too_large"
    assert len(fake.state.refunds) == 1


def test_refunding_a_fully_refunded_payment_is_refused(provider):
    intent = captured(provider)
    provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("42.00"))

    with pytest.raises(ProviderDeclined) as raised:
        provider.refund_create(key="refund-2", intent_id=intent.id, amount=Decimal("1.00"))

    assert raised.value.failure.code == "charge_already_refunded"


def test_a_pending_refund_is_reported_pending(provider, fake):
    intent = captured(provider)
    fake.state.refund_status = "pending"

    refund = provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("5.00"))

    assert refund.status == "pending"


# ---------------------------------------------------------------------- idempotency


def test_every_write_carries_the_callers_key(provider, fake):
    intent = provider.intent_create(key="w-create", amount=Decimal("42.00"), currency="EUR", metadata={})
    provider.intent_confirm(key="w-confirm", intent_id=intent.id, payment_method="pm_card_visa")
    provider.intent_capture(key="w-capture", intent_id=intent.id, amount=Decimal("40.00"))
    provider.refund_create(key="w-refund", intent_id=intent.id, amount=Decimal("1.00"))
    other = authorized(provider, key="w-create-2")
    provider.intent_cancel(key="w-cancel", intent_id=other.id)

    assert [w.idempotency_key for w in fake.writes()] == [
        "w-create",
        "w-confirm",
        "w-capture",
        "w-refund",
        "w-create-2",
        "w-cancel",
    ]


def test_retrying_each_write_with_its_key_changes_nothing_twice(provider, fake):
    first = authorized(provider)
    again = authorized(provider)
    assert again == first and len(fake.state.intents) == 1 and len(fake.state.charges) == 1

    capture = provider.intent_capture(key="capture-1", intent_id=first.id, amount=Decimal("40.00"))
    assert provider.intent_capture(key="capture-1", intent_id=first.id, amount=Decimal("40.00")) == capture

    refund = provider.refund_create(key="refund-1", intent_id=first.id, amount=Decimal("5.00"))
    assert provider.refund_create(key="refund-1", intent_id=first.id, amount=Decimal("5.00")) == refund
    assert len(fake.state.refunds) == 1

    other = authorized(provider, key="auth-2")
    cancel = provider.intent_cancel(key="cancel-1", intent_id=other.id)
    assert provider.intent_cancel(key="cancel-1", intent_id=other.id) == cancel
    assert len(fake.events("payment_intent.canceled")) == 1


def test_a_key_reused_with_other_parameters_is_refused(provider, fake):
    authorized(provider, key="k", amount="42.00")

    with pytest.raises(ProviderDeclined) as raised:
        authorized(provider, key="k", amount="43.00")

    assert raised.value.failure.code == "idempotency_error"
    assert len(fake.state.intents) == 1


# ---------------------------------------------------------------------- outages


@pytest.mark.parametrize("fault", ["500", "429", "hang"])
def test_an_outage_before_stripe_acted_is_unavailable_and_a_retry_charges_once(provider, fake, fault):
    fake.fail_next(fault)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        authorized(provider)
    assert time.monotonic() - started < 4 * TIMEOUT  # a hang is cut by the client's timeout, not waited out

    assert fake.state.intents == {}
    intent = authorized(provider)
    assert intent.status == "requires_capture" and len(fake.state.intents) == 1


def test_a_timeout_after_stripe_accepted_the_charge_is_answered_by_retrying_with_the_same_key(provider, fake):
    fake.fail_next("accept_then_hang")

    with pytest.raises(ProviderUnavailable):
        authorized(provider)
    [held] = fake.state.intents.values()  # Stripe did authorize: money is held though we never heard
    assert held["status"] == "requires_capture"

    intent = authorized(provider)

    assert intent.id == held["id"] and intent.status == "requires_capture"
    assert len(fake.state.intents) == 1 and len(fake.state.charges) == 1  # not a second charge


def test_a_capture_that_timed_out_after_stripe_captured_is_not_captured_twice(provider, fake):
    intent = authorized(provider)
    fake.fail_next("accept_then_hang", path=f"/v1/payment_intents/{intent.id}/capture")

    with pytest.raises(ProviderUnavailable):
        provider.intent_capture(key="capture-1", intent_id=intent.id)
    done = provider.intent_capture(key="capture-1", intent_id=intent.id)

    assert (done.status, done.amount_received) == ("succeeded", Decimal("42.00"))
    assert len(fake.events("payment_intent.succeeded")) == 1


def test_a_refund_that_timed_out_is_retried_into_the_same_refund(provider, fake):
    intent = captured(provider)
    fake.fail_next("accept_then_hang", path="/v1/refunds")

    with pytest.raises(ProviderUnavailable):
        provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("10.00"))
    refund = provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("10.00"))

    assert [refund.id] == list(fake.state.refunds)


def test_the_library_retries_by_itself_with_the_same_key(fake):
    provider = make_provider(fake, max_network_retries=1)
    fake.fail_next("accept_then_hang")

    intent = authorized(provider)

    assert intent.status == "requires_capture" and len(fake.state.intents) == 1
    keys = [w.idempotency_key for w in fake.writes()]
    assert keys == ["auth-1", "auth-1"]


def test_rejected_credentials_are_unavailable_not_a_decline(fake):
    provider = make_provider(fake, api_key="sk_test_wrong_key_123456")

    with pytest.raises(ProviderUnavailable):
        authorized(provider)


def test_a_server_that_is_down_is_unavailable(fake):
    provider = make_provider(fake)
    fake.stop()

    with pytest.raises(ProviderUnavailable):
        provider.intent_get(intent_id="pi_1")


def test_the_provider_needs_its_keys():
    with pytest.raises(ValueError):
        StripeProvider(api_key="", webhook_secret="whsec_x")
    with pytest.raises(ValueError):
        StripeProvider(api_key="sk_test_x", webhook_secret="")
    assert "sk_test" not in repr(StripeProvider(api_key="sk_test_x", webhook_secret="whsec_x"))


# ---------------------------------------------------------------------- webhooks


def test_a_signed_intent_event_is_verified_and_mapped(provider, fake):
    intent = authorized(provider)
    [event] = fake.events("payment_intent.amount_capturable_updated")
    payload, headers = signed_delivery(event, fake.webhook_secret)

    parsed = provider.webhook_parse(payload=payload, headers=headers)

    assert (parsed.id, parsed.type, parsed.created) == (event["id"], event["type"], event["created"])
    assert parsed.intent is not None and parsed.refund is None
    assert (parsed.intent.id, parsed.intent.status, parsed.intent.amount_capturable) == (
        intent.id,
        "requires_capture",
        Decimal("42.00"),
    )


def test_refund_events_are_mapped_to_the_refund(provider, fake):
    intent = captured(provider)
    refund = provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("10.00"))
    [event] = fake.events("refund.created")
    payload, headers = signed_delivery(event, fake.webhook_secret)

    parsed = provider.webhook_parse(payload=payload, headers=headers)

    assert parsed.refund == refund and parsed.intent is None


def test_charge_refunded_names_the_newest_refund_only_when_the_charge_lists_them(provider, fake):
    intent = captured(provider)
    provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("10.00"))
    newest = provider.refund_create(key="refund-2", intent_id=intent.id, amount=Decimal("5.00"))
    event = fake.events("charge.refunded")[-1]
    payload, headers = signed_delivery(event, fake.webhook_secret)

    assert provider.webhook_parse(payload=payload, headers=headers).refund is None  # current API versions

    event["data"]["object"] = fake.state.charge_object(event["data"]["object"]["id"], expand_refunds=True)
    payload, headers = signed_delivery(event, fake.webhook_secret)
    assert provider.webhook_parse(payload=payload, headers=headers).refund == newest


def test_a_pending_refund_settling_is_told_by_refund_updated(provider, fake):
    intent = captured(provider)
    fake.state.refund_status = "pending"
    refund = provider.refund_create(key="refund-1", intent_id=intent.id, amount=Decimal("5.00"))
    fake.settle_refund(refund.id, status="succeeded")
    [event] = fake.events("refund.updated")
    payload, headers = signed_delivery(event, fake.webhook_secret)

    parsed = provider.webhook_parse(payload=payload, headers=headers)

    assert parsed.refund is not None and (parsed.refund.id, parsed.refund.status) == (refund.id, "succeeded")


def test_a_failed_payment_event_carries_the_decline(provider, fake):
    with pytest.raises(ProviderDeclined):
        provider.intent_create(
            key="k", amount=Decimal(1), currency="EUR", metadata={}, payment_method="pm_card_visa_chargeDeclinedInsufficientFunds"
        )
    [event] = fake.events("payment_intent.payment_failed")
    payload, headers = signed_delivery(event, fake.webhook_secret)

    parsed = provider.webhook_parse(payload=payload, headers=headers)

    assert parsed.intent is not None and parsed.intent.last_failure is not None
    assert parsed.intent.last_failure.decline_code == "insufficient_funds"


@pytest.mark.parametrize(
    "headers_for",
    [
        lambda value: {"Stripe-Signature": value},
        lambda value: {"stripe-signature": value},
        lambda value: {"HTTP_STRIPE_SIGNATURE": value},  # request.META
    ],
)
def test_the_signature_header_is_found_however_the_headers_are_spelled(provider, fake, headers_for):
    authorized(provider)
    event = fake.events()[0]
    payload, headers = signed_delivery(event, fake.webhook_secret)

    assert provider.webhook_parse(payload=payload, headers=headers_for(headers["Stripe-Signature"])).id == event["id"]


def _event(provider, fake) -> dict:
    authorized(provider)
    return fake.events("payment_intent.amount_capturable_updated")[0]


def test_a_webhook_signed_with_another_secret_is_invalid(provider, fake):
    payload, headers = signed_delivery(_event(provider, fake), "whsec_someone_else")

    with pytest.raises(WebhookInvalid, match="signature"):
        provider.webhook_parse(payload=payload, headers=headers)


def test_a_webhook_whose_body_was_changed_is_invalid(provider, fake):
    payload, headers = signed_delivery(_event(provider, fake), fake.webhook_secret)
    tampered = payload.replace(b'"requires_capture"', b'"succeeded"', 1)

    with pytest.raises(WebhookInvalid, match="signature"):
        provider.webhook_parse(payload=tampered, headers=headers)


def test_a_webhook_without_a_signature_is_invalid(provider, fake):
    payload, _ = signed_delivery(_event(provider, fake), fake.webhook_secret)

    with pytest.raises(WebhookInvalid):
        provider.webhook_parse(payload=payload, headers={"Content-Type": "application/json"})
    with pytest.raises(WebhookInvalid):
        provider.webhook_parse(payload=payload, headers={"Stripe-Signature": "garbage"})


def test_a_webhook_older_than_the_tolerance_is_invalid(provider, fake):
    event = _event(provider, fake)
    payload, headers = signed_delivery(event, fake.webhook_secret, timestamp=int(time.time()) - 301)

    with pytest.raises(WebhookInvalid, match="tolerance"):
        provider.webhook_parse(payload=payload, headers=headers)

    payload, headers = signed_delivery(event, fake.webhook_secret, timestamp=int(time.time()) - 200)
    assert provider.webhook_parse(payload=payload, headers=headers).id == event["id"]


def test_the_tolerance_is_configurable(fake):
    provider = make_provider(fake, webhook_tolerance=60)
    event = _event(provider, fake)
    payload, headers = signed_delivery(event, fake.webhook_secret, timestamp=int(time.time()) - 120)

    with pytest.raises(WebhookInvalid, match="tolerance"):
        provider.webhook_parse(payload=payload, headers=headers)


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'"event"',
        b"{}",
        json.dumps({"object": "event", "id": "evt_1", "type": "payment_intent.succeeded", "created": 1}).encode(),
        json.dumps(
            {"object": "event", "id": "evt_1", "type": "payment_intent.succeeded", "created": 1, "data": {"object": {}}}
        ).encode(),
        json.dumps(
            {
                "object": "event",
                "id": "evt_1",
                "type": "payment_intent.succeeded",
                "created": "yesterday",
                "data": {"object": {"object": "payment_intent"}},
            }
        ).encode(),
    ],
)
def test_a_correctly_signed_but_malformed_body_is_invalid(provider, fake, payload):
    headers = {"Stripe-Signature": signature_header(payload, fake.webhook_secret)}

    with pytest.raises(WebhookInvalid):
        provider.webhook_parse(payload=payload, headers=headers)


def test_an_event_type_we_do_not_handle_is_invalid(provider, fake):
    event = {
        "id": "evt_customer",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "data": {"object": {"id": "cus_1", "object": "customer"}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "customer.created",
    }
    payload, headers = signed_delivery(event, fake.webhook_secret)

    with pytest.raises(WebhookInvalid, match="unhandled event type"):
        provider.webhook_parse(payload=payload, headers=headers)
