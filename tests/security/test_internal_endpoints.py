"""The /internal/ endpoints: separate credentials to call and to serve, one per service, checked before anything else.

Issue 12 item 5: a token meant to *call* must not make a process *serve*; short
tokens, other schemes and forged events are refused; bad calls are 400
problem documents; the client never follows a redirect.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error, Warning
from django.core.checks import run_checks as django_run_checks
from django.test import Client

from commerce.checks import internal_transport_check
from commerce.transport import credentials
from contracts.checkout import OrderCancelled
from contracts.codec import to_primitive
from tests.e2e.conftest import availability, complete_body, new_cart, shop  # noqa: F401  the real shop

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT_TOKEN = "c" * 40
INVENTORY_TOKEN = "i" * 40
CALL = "/internal/contracts/catalog/variants_get"
EVENTS = "/internal/events"
PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(path: str, body: object, **extra: str):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client(raise_request_exception=False).post(path, data, content_type="application/json", **extra)


@pytest.fixture
def serving(settings):
    """This process serves its contracts to a checkout process and to an inventory process, each with its token."""
    settings.CONTRACTS_SERVE_TOKENS = {"checkout": CHECKOUT_TOKEN, "inventory": INVENTORY_TOKEN}
    settings.CONTRACTS_ALLOWED_NETWORKS = []
    return settings


# --- calling and serving are separate settings ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_process_that_only_calls_serves_nothing(settings):
    settings.CONTRACTS_SERVE_TOKENS = {}
    settings.CONTRACTS_CLIENT_TOKEN = CHECKOUT_TOKEN
    settings.CONTRACTS_TOKEN = CHECKOUT_TOKEN  # the deprecated shorthand: calling only
    settings.CONTRACTS_SERVICE_TOKENS = {"inventory": INVENTORY_TOKEN}
    for token in (CHECKOUT_TOKEN, INVENTORY_TOKEN):
        for path in (CALL, EVENTS):
            response = post(path, {"kwargs": {"skus": ["TEE-M"]}}, **bearer(token))
            assert response.status_code == 404 and response["Content-Type"] == PROBLEM


def test_without_serving_tokens_the_internal_endpoints_are_404_problems_not_html_405(settings):
    settings.CONTRACTS_SERVE_TOKENS = {}
    for path in (CALL, EVENTS):
        for method in ("get", "put", "delete"):
            response = getattr(Client(raise_request_exception=False), method)(path)
            assert response.status_code == 404 and response["Content-Type"] == PROBLEM, (path, method)
            assert response.json()["code"] == "not_found"


def test_each_service_is_called_with_its_own_credential(settings):
    from commerce.wiring import implementation_for

    settings.MODULES = ("catalog", "checkout")
    settings.MODULE_SERVICE_URLS = {"inventory": "http://inventory.internal", "pricing": "http://pricing.internal"}
    settings.CONTRACTS_SERVICE_TOKENS = {"inventory": INVENTORY_TOKEN}
    settings.CONTRACTS_CLIENT_TOKEN = CHECKOUT_TOKEN
    assert implementation_for("inventory")._token == INVENTORY_TOKEN
    assert implementation_for("pricing")._token == CHECKOUT_TOKEN  # no token of its own: the process's default


# --- tokens ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "setting, value",
    [
        ("CONTRACTS_SERVE_TOKENS", {"checkout": "s3cret"}),
        ("CONTRACTS_SERVE_TOKENS", {"checkout": " " + "x" * 31 + "   "}),  # 31 once stripped
        ("CONTRACTS_CLIENT_TOKEN", "x" * 31),
        ("CONTRACTS_SERVICE_TOKENS", {"inventory": "short"}),
    ],
)
def test_a_token_shorter_than_32_characters_is_a_startup_error(settings, setting, value):
    settings.MODULE_SERVICE_URLS = {"inventory": "http://inventory.internal"}
    settings.CONTRACTS_CLIENT_TOKEN = "d" * 32
    settings.CONTRACTS_SERVICE_TOKENS = {}
    settings.CONTRACTS_SERVE_TOKENS = {}
    setattr(settings, setting, value)
    errors = [m for m in internal_transport_check() if isinstance(m, Error)]
    assert [e.id for e in errors] == ["commerce.E002"] and "shorter than 32" in errors[0].msg
    assert any(e.id == "commerce.E002" for e in django_run_checks())  # registered: runserver and migrate refuse


@pytest.mark.django_db
def test_a_short_serving_token_serves_nothing_not_even_with_the_other_valid_tokens(serving):
    serving.CONTRACTS_SERVE_TOKENS = {"checkout": CHECKOUT_TOKEN, "inventory": "short"}
    for token in (CHECKOUT_TOKEN, "short"):
        assert post(CALL, {"kwargs": {"skus": ["TEE-M"]}}, **bearer(token)).status_code == 404


def test_the_serving_settings_name_known_callers_and_distinct_tokens(settings):
    settings.MODULE_SERVICE_URLS = {}
    settings.CONTRACTS_SERVE_TOKENS = {"shop": CHECKOUT_TOKEN, "catalog+pricing": INVENTORY_TOKEN, "checkout": INVENTORY_TOKEN}
    messages = " | ".join(m.msg for m in internal_transport_check())
    assert "unknown caller 'shop'" in messages and "the same token" in messages


def test_a_short_client_token_is_a_startup_error_even_before_a_service_url_uses_it(settings):
    settings.MODULE_SERVICE_URLS = {}
    settings.CONTRACTS_SERVICE_TOKENS = {}
    settings.CONTRACTS_SERVE_TOKENS = {}
    settings.CONTRACTS_CLIENT_TOKEN = "s3cret"
    assert [m.id for m in internal_transport_check()] == ["commerce.E002"]


def test_a_configured_service_url_without_a_token_is_a_startup_error(settings):
    settings.MODULE_SERVICE_URLS = {"inventory": "http://inventory.internal"}
    settings.CONTRACTS_CLIENT_TOKEN = ""
    settings.CONTRACTS_SERVICE_TOKENS = {}
    settings.CONTRACTS_SERVE_TOKENS = {}
    assert [m.id for m in internal_transport_check()] == ["commerce.E002"]


def test_the_deprecated_contracts_token_is_a_warning_and_a_valid_configuration_is_silent(settings):
    settings.MODULE_SERVICE_URLS = {"inventory": "http://inventory.internal"}
    settings.CONTRACTS_SERVICE_TOKENS = {"inventory": INVENTORY_TOKEN}
    settings.CONTRACTS_SERVE_TOKENS = {"inventory": "j" * 32}
    settings.CONTRACTS_TOKEN = ""
    assert internal_transport_check() == []
    settings.CONTRACTS_TOKEN = CHECKOUT_TOKEN
    assert [(type(m), m.id) for m in internal_transport_check()] == [(Warning, "commerce.W001")]


@pytest.mark.slow
def test_the_settings_are_read_from_the_environment_and_checked_at_start_up(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONTRACTS_") and not k.endswith(("_SERVICE_URL", "_SERVICE_TOKEN"))},
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "SECRET_KEY": "internal-endpoints-test-" + "k" * 40,
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "COMMERCE_VAR_DIR": str(tmp_path),
        "COMMERCE_MODULES": "catalog,pricing,checkout",
        "INVENTORY_SERVICE_URL": "http://inventory.internal:8001",
        "INVENTORY_SERVICE_TOKEN": "  " + INVENTORY_TOKEN + "\n",
        "CONTRACTS_SERVE_TOKENS": f"inventory={'k' * 32}, catalog+pricing = {'p' * 32}",
        "CONTRACTS_ALLOWED_NETWORKS": "10.0.0.0/8, fd00::/8",
    }
    show = (
        "from django.conf import settings as s; from commerce.transport.credentials import client_token_for, serve_config;"
        "c = serve_config(); print(client_token_for('inventory'), sorted((x.name, sorted(x.modules)) for x in c.callers),"
        " [str(n) for n in c.networks])"
    )
    manage = [sys.executable, "manage.py"]
    result = subprocess.run([*manage, "shell", "-c", show], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"{INVENTORY_TOKEN} [('catalog+pricing', ['catalog', 'pricing']), ('inventory', ['inventory'])] ['10.0.0.0/8', 'fd00::/8']"
    )
    env["CONTRACTS_SERVE_TOKENS"] = "inventory=s3cret"
    result = subprocess.run([*manage, "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "commerce.E002" in result.stderr and "shorter than 32" in result.stderr


# --- the Authorization header ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [CHECKOUT_TOKEN, f"Basic {CHECKOUT_TOKEN}", f"Token {CHECKOUT_TOKEN}", f"Bearer{CHECKOUT_TOKEN}", "Bearer ", f"Bearer {CHECKOUT_TOKEN}x"],
)
def test_only_the_bearer_scheme_with_a_known_token_is_accepted(serving, header):
    body = {"kwargs": {"skus": ["TEE-M"]}}
    assert post(CALL, body, HTTP_AUTHORIZATION=header).status_code == 404
    assert post(CALL, body, **bearer(CHECKOUT_TOKEN)).status_code == 200
    assert post(CALL, body, HTTP_AUTHORIZATION=f"bearer {CHECKOUT_TOKEN}").status_code == 200  # scheme names are case-insensitive


def test_authorization_is_checked_before_the_method_the_path_and_the_body(serving):
    client = Client(raise_request_exception=False)
    for response in (
        client.get(CALL),
        client.get(EVENTS),
        post(CALL, "{not json"),
        post("/internal/contracts/catalog/no_such_call", {"kwargs": {}}),
        post("/internal/contracts/nowhere/x", {"kwargs": {}}),
        post(EVENTS, {"name": "checkout.OrderCancelled", "payload": {}}),
    ):
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    allowed = client.get(CALL, **bearer(CHECKOUT_TOKEN))
    assert allowed.status_code == 405 and allowed["Content-Type"] == PROBLEM and allowed["Allow"] == "POST"


def test_tokens_are_compared_in_constant_time_against_every_caller(serving, monkeypatch):
    compared = []
    real = credentials.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(credentials.hmac, "compare_digest", spy)
    config = credentials.serve_config()
    for presented in (CHECKOUT_TOKEN, INVENTORY_TOKEN, "x", "y" * 500):
        compared.clear()
        credentials.caller_identify(config, f"Bearer {presented}")
        # Every caller is compared, whatever matched first, and always as equal-length digests.
        assert compared == [(32, 32)] * len(config.callers)
    assert credentials.caller_identify(config, f"Bearer {INVENTORY_TOKEN}").modules == {"inventory"}


# --- malformed calls -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, body",
    [
        (CALL, "{not json"),
        (CALL, "[" * 100_000),
        (CALL, "[]"),
        (CALL, {"args": []}),
        (CALL, {"kwargs": []}),
        (CALL, {"kwargs": {"skus": 5}}),
        (CALL, {"kwargs": {"skus": "TEE-M"}}),
        (CALL, {"kwargs": {"skus": [1, 2]}}),
        (CALL, {"kwargs": {"skus": [{"sku": "TEE-M"}]}}),
        (CALL, {"kwargs": {}}),
        (CALL, {"kwargs": {"skus": ["TEE-M"], "extra": 1}}),
        ("/internal/contracts/catalog/no_such_call", {"kwargs": {}}),
        ("/internal/contracts/catalog/_private", {"kwargs": {}}),
        ("/internal/contracts/pricing/quote_create", {"kwargs": {"currency": "EUR", "lines": [{"sku": "TEE-M"}]}}),
        ("/internal/contracts/pricing/quote_create", {"kwargs": {"currency": "EUR", "lines": [{"sku": "A", "quantity": "1"}]}}),
        ("/internal/contracts/pricing/quote_create", {"kwargs": {"currency": ["EUR"], "lines": []}}),
        ("/internal/contracts/inventory/reservation_create", {"kwargs": {"reference": {}, "lines": "x"}}),
    ],
)
def test_malformed_contract_calls_are_400_problem_documents_never_500(serving, path, body):
    response = post(path, body, **bearer(CHECKOUT_TOKEN))
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "bad_contract_call"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[" * 100_000,
        [],
        {"name": "checkout.OrderCancelled"},
        {"name": 5, "payload": {}},
        {"name": "checkout.NoSuchEvent", "payload": {}},
        {"name": "checkout.OrderCancelled", "payload": []},
        {"name": "checkout.OrderCancelled", "payload": {}},  # no order_number
        {"name": "checkout.OrderCancelled", "payload": {"order_number": 5}},
        {"name": "checkout.OrderCancelled", "payload": {"order_number": "CO-1", "occurred_at": "yesterday"}},
    ],
)
def test_malformed_events_are_400_problem_documents_never_500(serving, body):
    response = post(EVENTS, body, **bearer(CHECKOUT_TOKEN))
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "bad_event"


# --- events come only from their publisher ---------------------------------------------------------------------


def test_a_forged_order_cancelled_from_the_inventory_credential_is_refused_and_changes_nothing(
    serving, shop, new_cart, api_client  # noqa: F811
):
    placed = api_client.post(
        f"/api/v1/checkout/carts/{new_cart(TEE_M=2)}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="f1"
    )
    assert placed.status_code == 201, placed.json()
    number = placed.json()["number"]
    before = availability(api_client, "TEE-M")
    forged = {"name": OrderCancelled.name, "payload": to_primitive(OrderCancelled(order_number=number))}

    refused = post(EVENTS, forged, **bearer(INVENTORY_TOKEN))
    assert refused.status_code == 403 and refused.json()["code"] == "event_publisher_mismatch"
    assert availability(api_client, "TEE-M") == before  # no phantom stock
    assert api_client.get(f"/api/v1/checkout/orders/{number}/?access_token={placed.json()['access_token']}").json()["status"] != "cancelled"

    # The same event from checkout's own credential is applied: the refusal was about who sent it.
    assert post(EVENTS, forged, **bearer(CHECKOUT_TOKEN)).status_code == 200
    assert availability(api_client, "TEE-M") == {"TEE-M": before["TEE-M"] + 2}


# --- the allow-list of client networks -------------------------------------------------------------------------


@pytest.mark.django_db
def test_clients_outside_the_allowed_networks_are_refused_403(serving):
    serving.CONTRACTS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    body = {"kwargs": {"skus": ["TEE-M"]}}
    outside = post(CALL, body, **bearer(CHECKOUT_TOKEN))  # the test client is 127.0.0.1
    assert outside.status_code == 403 and outside.json()["code"] == "forbidden_network"
    # A forwarded-for header is not trusted: REMOTE_ADDR decides.
    assert post(CALL, body, HTTP_X_FORWARDED_FOR="10.1.2.3", **bearer(CHECKOUT_TOKEN)).status_code == 403
    assert post(EVENTS, {}, REMOTE_ADDR="192.168.1.1", **bearer(CHECKOUT_TOKEN)).status_code == 403
    for inside in ("10.1.2.3", "fd00::1", "::ffff:10.0.0.7"):
        assert post(CALL, body, REMOTE_ADDR=inside, **bearer(CHECKOUT_TOKEN)).status_code == 200, inside


def test_an_invalid_network_is_a_startup_error_and_serves_nothing(serving):
    serving.MODULE_SERVICE_URLS = {}
    serving.CONTRACTS_ALLOWED_NETWORKS = ["10.0.0.0/33"]
    assert [m.id for m in internal_transport_check()] == ["commerce.E002"]
    assert post(CALL, {"kwargs": {"skus": ["TEE-M"]}}, **bearer(CHECKOUT_TOKEN)).status_code == 404


def test_serving_without_an_allow_list_is_a_deployment_warning(serving):
    from commerce.checks import internal_allow_list_check

    assert [m.id for m in internal_allow_list_check()] == ["commerce.W002"]
    serving.CONTRACTS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert internal_allow_list_check() == []
    serving.CONTRACTS_SERVE_TOKENS = {}
    assert internal_allow_list_check() == []
