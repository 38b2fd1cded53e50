"""A module that answers too slowly is cut off at the contract's time limit, and the storefront degrades."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.container import services_override
from contracts.errors import ServiceUnavailable
from tests.e2e.conftest import load_shop


class Stalling(BaseHTTPRequestHandler):
    """A pricing service that hangs for 5 s on every call."""

    def do_POST(self) -> None:
        time.sleep(5)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stalled_pricing():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ContractClient(
        module="pricing",
        protocol=CONTRACT_PROTOCOLS["pricing"],
        base_url=f"http://127.0.0.1:{server.server_address[1]}",
        token="t" * 32,
        timeout=0.5,
    )
    server.shutdown()


def test_a_stalled_module_is_service_unavailable_within_the_time_limit(stalled_pricing):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        stalled_pricing.prices_get(skus=["TEE-M"], currency="EUR")
    assert time.monotonic() - started < 2


def test_the_listing_answers_without_prices_when_pricing_stalls(stalled_pricing, api_client, transactional_db, tmp_path):
    load_shop(tmp_path)
    started = time.monotonic()
    with services_override(pricing=stalled_pricing):
        response = api_client.get("/api/v1/catalog/products/?currency=EUR")
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] == ["pricing"] and response["Commerce-Degraded"] == "pricing"
    assert {p["slug"] for p in body["results"]} == {"logo-tee", "enamel-mug"}
    assert all(p["price"] is None for p in body["results"])
    assert any(p["in_stock"] for p in body["results"])  # inventory still answered
