"""Lift recommendations out: its own process and database, learning from events that cross over HTTP.

A second process runs only the recommendations module
(``COMMERCE_MODULES=recommendations``) on a database of its own. This
process (the shop) sends it checkout's and catalog's events through the
outbox (deliveries to ``@recommendations``); the service asks the catalog,
pricing and inventory (this process) over HTTP, to learn a sale's products
and to enrich its storefront answers. Nothing but configuration differs.
"""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from commerce.eventbus.models import Delivery
from commerce.routers import module_database
from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.events import subscribe, subscriptions_for, unsubscribe
from tests.e2e.conftest import complete_body, load_shop
from tests.extraction.services import module_elsewhere, module_service, service_env

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")  # also with a database per module
ROOT = Path(__file__).resolve().parents[2]
SHOP_TOKEN = "extraction-test-token-of-the-shop-to-recommendations"
RECOMMENDATIONS_TOKEN = "extraction-test-token-of-recommendations-to-the-shop"
EVENTS = ("checkout.OrderPlaced", "checkout.OrderCancelled", "catalog.ProductPublished", "catalog.ProductUnpublished", "catalog.VariantDiscontinued")


@pytest.fixture
def recommendations_service(transactional_db, live_server, settings, tmp_path):
    """Start the recommendations-only process; yield its base URL."""
    load_shop(tmp_path)
    settings.CONTRACTS_SERVE_TOKENS = {"recommendations": RECOMMENDATIONS_TOKEN}  # this process serves catalog & co to it
    env = service_env(
        module="recommendations", tmp_path=tmp_path, shop_token=SHOP_TOKEN, modules=settings.MODULES,
        **{f"{module}_SERVICE_URL": live_server.url for module in ("CATALOG", "PRICING", "INVENTORY")},
        CONTRACTS_CLIENT_TOKEN=RECOMMENDATIONS_TOKEN,
    )
    with module_service(module="recommendations", env=env, tmp_path=tmp_path) as (url, _):
        yield url


@pytest.fixture
def recommendations_elsewhere(recommendations_service, settings):
    """Send the module's events to the other process (and take this process's own subscribers out); yield the client."""
    with module_elsewhere(
        module="recommendations", url=recommendations_service, token=SHOP_TOKEN, settings=settings, events=EVENTS
    ) as remote:
        yield remote


def remote_get(url: str) -> tuple[int, dict, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.load(response), response.headers.get("Commerce-Degraded", "")


def order(api_client, key: str, **lines: int) -> tuple[str, str]:
    token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
    for sku, quantity in lines.items():
        api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": sku.replace("_", "-"), "quantity": quantity}, format="json")
    placed = api_client.post(f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert placed.status_code == 201, placed.json()
    return placed.json()["number"], placed.json()["access_token"]


@pytest.mark.slow
def test_an_extracted_recommendations_service_learns_from_events_and_answers(recommendations_service, recommendations_elsewhere, api_client):
    number, access = order(api_client, "r1", TEE_M=1, MUG_1=1)
    assert set(Delivery.objects.using(module_database("checkout")).filter(subscriber="@recommendations").values_list("state", flat=True)) == {"delivered"}

    status, body, degraded = remote_get(f"{recommendations_service}/api/v1/recommendations/products/logo-tee/?currency=EUR")
    assert status == 200 and degraded == "" and body["degraded"] == []
    assert [(r["slug"], r["name"], r["price"], r["in_stock"]) for r in body["results"]] == [
        ("enamel-mug", "Enamel Mug", {"amount": "9.50", "currency": "EUR"}, True)  # priced and stocked over HTTP
    ]
    (mug,) = recommendations_elsewhere.bought_together_get(product_slug="logo-tee", limit=5)
    assert (mug.product_slug, mug.skus) == ("enamel-mug", ("MUG-1",))
    assert [r.product_slug for r in recommendations_elsewhere.popular_get(category_slug="apparel", limit=5)] == ["logo-tee"]

    assert api_client.post(f"/api/v1/checkout/orders/{number}/cancel/?access_token={access}").status_code == 200
    assert recommendations_elsewhere.bought_together_get(product_slug="logo-tee", limit=5) == ()


@pytest.mark.slow
def test_an_extracted_service_joining_late_learns_the_history_sent_by_the_shop(recommendations_service, settings, api_client):
    """Orders placed before the service was connected reach it by `events replay --subscribers @recommendations`."""
    local = [s for name in EVENTS for s in subscriptions_for(name) if s.module == "recommendations"]
    for subscription in local:
        unsubscribe(name=subscription.name)
    try:
        order(api_client, "h1", TEE_M=1, MUG_1=1)  # nobody learns it: no subscriber here, no service configured
        settings.MODULE_SERVICE_URLS = {"recommendations": recommendations_service}
        settings.CONTRACTS_SERVICE_TOKENS = {"recommendations": SHOP_TOKEN}
        remote = ContractClient(
            module="recommendations", protocol=CONTRACT_PROTOCOLS["recommendations"], base_url=recommendations_service, token=SHOP_TOKEN, timeout=10
        )
        assert remote.bought_together_get(product_slug="logo-tee", limit=5) == ()
        for _ in range(2):  # the second time changes nothing: the service's inbox remembers
            out = io.StringIO()
            call_command("events", "replay", "--subscribers", "@recommendations", stdout=out)
            assert "sent to @recommendations" in out.getvalue()
            assert [r.product_slug for r in remote.bought_together_get(product_slug="logo-tee", limit=5)] == ["enamel-mug"]
            assert [r.score for r in remote.popular_get(category_slug="kitchen", limit=5)] == [1.0]
    finally:
        for s in local:
            subscribe(s.event_type, name=s.name, handler=s.handler, in_transaction=s.in_transaction)
