"""Lift inventory out: run it as its own service, with its own database, and check out against it.

A second process is started from the same codebase with only the inventory
module installed (``COMMERCE_MODULES=inventory``) on a database of its own.
It reaches the catalog back over HTTP (this test's live server), and this
process reaches inventory over HTTP. The checkout flow runs unchanged: only
configuration differs. This is the proof, in CI, that the module can go.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from commerce.eventbus.models import Delivery
from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.container import services_override
from contracts.errors import ServiceUnavailable
from contracts.events import subscribe, subscriptions_for, unsubscribe
from tests.e2e.conftest import complete_body

ROOT = Path(__file__).resolve().parents[2]
# One credential per direction: what this process (the shop) presents to inventory, and what inventory presents back.
SHOP_TOKEN = "extraction-test-token-of-the-shop-process"
INVENTORY_TOKEN = "extraction-test-token-of-the-inventory-service"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inventory_service(transactional_db, live_server, settings, tmp_path):
    """Start the inventory-only process; yield its base URL."""
    from django.core.management import call_command

    from tests.e2e.conftest import CATALOG_CSV, PRICES_CSV

    for name, text, command in (("catalog.csv", CATALOG_CSV, "import_catalog"), ("prices.csv", PRICES_CSV, "import_prices")):
        (tmp_path / name).write_text(text)
        call_command(command, str(tmp_path / name), stdout=io.StringIO())
    settings.CONTRACTS_SERVE_TOKENS = {"inventory": INVENTORY_TOKEN}  # this process serves catalog to inventory

    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith("_SERVICE_URL")},
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "COMMERCE_MODULES": "inventory",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'inventory-service.sqlite3'}",
        "CATALOG_SERVICE_URL": live_server.url,
        "CATALOG_SERVICE_TOKEN": INVENTORY_TOKEN,
        "CONTRACTS_SERVE_TOKENS": "+".join(m for m in settings.MODULES if m != "inventory") + f"={SHOP_TOKEN}",
        "CONTRACTS_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128",
        "SECRET_KEY": "extraction-test-secret-key-" + "x" * 30,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "",
        "COMMERCE_VAR_DIR": str(tmp_path),
    }
    manage = [sys.executable, "manage.py"]

    def run(*args: str) -> None:
        result = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    run("migrate", "--noinput", "-v0")
    run("shell", "-c", "from modules.inventory.models import Warehouse; Warehouse.objects.create(code='MAIN', name='Main', priority=1)")
    (tmp_path / "stock.csv").write_text("sku,warehouse,on_hand\nTEE-M,MAIN,3\nMUG-1,MAIN,5\n")
    run("import_stock", str(tmp_path / "stock.csv"))  # checks the SKUs with the catalog, over HTTP

    log = (tmp_path / "inventory-service.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail((tmp_path / "inventory-service.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def inventory_elsewhere(inventory_service, settings):
    """Serve inventory from the other process, both its contract and its events; yield the client."""
    remote = ContractClient(
        module="inventory", protocol=CONTRACT_PROTOCOLS["inventory"], base_url=inventory_service, token=SHOP_TOKEN, timeout=10
    )
    settings.MODULE_SERVICE_URLS = {"inventory": inventory_service}
    settings.CONTRACTS_SERVICE_TOKENS = {"inventory": SHOP_TOKEN}
    # In a real split this process would not install inventory at all; here its local subscribers would
    # react to OrderPlaced against empty local tables, so they are taken out for the test.
    local_subscribers = [s for s in subscriptions_for("checkout.OrderPlaced") + subscriptions_for("checkout.OrderCancelled") if s.module == "inventory"]
    for subscription in local_subscribers:
        unsubscribe(name=subscription.name)
    try:
        with services_override(inventory=remote):
            yield remote
    finally:
        for subscription in local_subscribers:
            subscribe(subscription.event_type, name=subscription.name, handler=subscription.handler)


def remote_availability(url: str, sku: str) -> int:
    with urllib.request.urlopen(f"{url}/api/v1/inventory/availability/?sku={sku}", timeout=5) as response:
        body = json.load(response)
    return body["results"][0]["available"]


def cart_with(api_client, sku: str, quantity: int) -> str:
    token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
    api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": sku, "quantity": quantity}, format="json")
    return token


@pytest.mark.slow
def test_checkout_runs_unchanged_against_an_extracted_inventory_service(inventory_service, inventory_elsewhere, api_client):
    token = cart_with(api_client, "TEE-M", 2)
    cart = api_client.get(f"/api/v1/checkout/carts/{token}/").json()
    assert cart["lines"][0]["available"] == 3  # read from the inventory service

    placed = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="x1"
    )
    assert placed.status_code == 201, placed.json()
    assert remote_availability(inventory_service, "TEE-M") == 1

    greedy = cart_with(api_client, "TEE-M", 2)
    refused = api_client.post(
        f"/api/v1/checkout/carts/{greedy}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="x2"
    )
    # OutOfStock raised in the other process arrives here as the same contract error.
    assert refused.status_code == 409
    assert refused.json()["shortages"] == [{"sku": "TEE-M", "requested": 2, "available": 1}]

    number, access = placed.json()["number"], placed.json()["access_token"]
    assert api_client.post(f"/api/v1/checkout/orders/{number}/cancel/?access_token={access}").status_code == 200
    assert remote_availability(inventory_service, "TEE-M") == 3


class AnswersLostAfterTheOrder:
    """The inventory client, except that every call made once the order exists fails in transit."""

    def __init__(self, inner: ContractClient) -> None:
        self.inner = inner

    def __getattr__(self, name: str):
        if name in {"reservation_commit", "reservation_release", "order_stock_return"}:
            def lost(**kwargs):
                raise ServiceUnavailable("the answer was lost")

            return lost
        return getattr(self.inner, name)


@pytest.mark.slow
def test_events_reach_the_extracted_module_and_finish_what_the_calls_could_not(
    inventory_service, inventory_elsewhere, api_client, tmp_path
):
    with services_override(inventory=AnswersLostAfterTheOrder(inventory_elsewhere)):
        token = cart_with(api_client, "MUG-1", 2)
        placed = api_client.post(
            f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="e1"
        )
        assert placed.status_code == 201, placed.json()
        number, access = placed.json()["number"], placed.json()["access_token"]
        # OrderPlaced crossed to the inventory service, whose own subscriber committed the hold.
        assert reservation_state(tmp_path, number) == "committed"
        assert remote_availability(inventory_service, "MUG-1") == 3
        assert set(Delivery.objects.filter(subscriber="@inventory").values_list("state", flat=True)) == {"delivered"}

        assert api_client.post(f"/api/v1/checkout/orders/{number}/cancel/?access_token={access}").status_code == 200
        # OrderCancelled did the same for the stock return.
        assert remote_availability(inventory_service, "MUG-1") == 5


def reservation_state(tmp_path: Path, reference: str) -> str:
    with sqlite3.connect(tmp_path / "inventory-service.sqlite3") as db:
        return db.execute("SELECT state FROM inventory_reservation WHERE reference = ?", (reference,)).fetchone()[0]


def test_a_module_neither_installed_nor_configured_says_so(settings):
    from commerce.wiring import implementation_for

    settings.MODULES = ("catalog", "pricing", "checkout")
    settings.MODULE_SERVICE_URLS = {}
    with pytest.raises(ServiceUnavailable, match="INVENTORY_SERVICE_URL"):
        implementation_for("inventory").availability_get(skus=["X"])
    settings.MODULE_SERVICE_URLS = {"inventory": "http://127.0.0.1:1"}
    assert isinstance(implementation_for("inventory"), ContractClient)
