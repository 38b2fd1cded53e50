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
import sqlite3
import urllib.request
from pathlib import Path

import pytest

from commerce.eventbus.models import Delivery
from commerce.transport.client import ContractClient
from contracts.container import services_override
from contracts.errors import ServiceUnavailable
from tests.e2e.conftest import complete_body
from tests.extraction.services import module_elsewhere, module_service, service_env

ROOT = Path(__file__).resolve().parents[2]
# One credential per direction: what this process (the shop) presents to inventory, and what inventory presents back.
SHOP_TOKEN = "extraction-test-token-of-the-shop-process"
INVENTORY_TOKEN = "extraction-test-token-of-the-inventory-service"



@pytest.fixture
def inventory_service(transactional_db, live_server, settings, tmp_path):
    """Start the inventory-only process; yield its base URL."""
    from django.core.management import call_command

    from tests.e2e.conftest import CATALOG_CSV, PRICES_CSV

    for name, text, command in (("catalog.csv", CATALOG_CSV, "import_catalog"), ("prices.csv", PRICES_CSV, "import_prices")):
        (tmp_path / name).write_text(text)
        call_command(command, str(tmp_path / name), stdout=io.StringIO())
    settings.CONTRACTS_SERVE_TOKENS = {"inventory": INVENTORY_TOKEN}  # this process serves catalog to inventory
    env = service_env(
        module="inventory", tmp_path=tmp_path, shop_token=SHOP_TOKEN, modules=settings.MODULES,
        CATALOG_SERVICE_URL=live_server.url, CATALOG_SERVICE_TOKEN=INVENTORY_TOKEN,
    )

    def prepare(run) -> None:
        run("shell", "-c", "from modules.inventory.models import Warehouse; Warehouse.objects.create(code='MAIN', name='Main', priority=1)")
        (tmp_path / "stock.csv").write_text("sku,warehouse,on_hand\nTEE-M,MAIN,3\nMUG-1,MAIN,5\n")
        run("import_stock", str(tmp_path / "stock.csv"))  # checks the SKUs with the catalog, over HTTP

    with module_service(module="inventory", env=env, tmp_path=tmp_path, prepare=prepare) as (url, _):
        yield url


@pytest.fixture
def inventory_elsewhere(inventory_service, settings):
    """Serve inventory from the other process, both its contract and its events; yield the client."""
    events = ("checkout.OrderPlaced", "checkout.OrderCancelled")
    with module_elsewhere(module="inventory", url=inventory_service, token=SHOP_TOKEN, settings=settings, events=events) as remote:
        yield remote


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
