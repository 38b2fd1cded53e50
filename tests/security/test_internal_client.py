"""The contract client: it never follows a redirect (nor hands its token on), and it keeps its connections alive."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commerce.transport.client import ContractClient, event_post
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.errors import ServiceUnavailable

TOKEN = "client-test-token-of-32-characters-at-least"


class Recorder(ThreadingHTTPServer):
    """A loopback HTTP/1.1 server that records what reaches it and answers as ``answer`` says."""

    daemon_threads = True

    def __init__(self, answer) -> None:
        self.answer = answer
        self.requests: list[tuple[str, str | None]] = []
        self.connections = 0
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's threaded workers and runserver speak

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.path, self.headers.get("Authorization")))
        status, headers, body = self.server.answer(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers() -> Iterator:
    started = []

    def start(answer) -> Recorder:
        server = Recorder(answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def client_of(url: str, module: str = "inventory") -> ContractClient:
    return ContractClient(module=module, protocol=CONTRACT_PROTOCOLS[module], base_url=url, token=TOKEN, timeout=5)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_the_client_never_follows_a_redirect_nor_forwards_its_token(servers, settings, status):
    elsewhere = servers(lambda path: (200, {"Content-Type": "application/json"}, b'{"result": {}, "applied": true}'))
    redirecting = servers(lambda path: (status, {"Location": f"{elsewhere.url}{path}"}, b""))
    with pytest.raises(ServiceUnavailable, match="redirects are not followed"):
        client_of(redirecting.url).availability_get(skus=["TEE-M"])
    settings.MODULE_SERVICE_URLS = {"inventory": redirecting.url}
    settings.CONTRACTS_SERVICE_TOKENS = {"inventory": TOKEN}
    with pytest.raises(ServiceUnavailable, match=str(status)):
        event_post(base_url=redirecting.url, token="", timeout=5, name="checkout.OrderCancelled", payload={})
    assert [auth for _, auth in redirecting.requests] == [f"Bearer {TOKEN}"] * 2
    assert elsewhere.requests == []  # the token went nowhere else


def test_events_are_sent_with_the_credential_of_the_receiving_service(servers, settings):
    inventory = servers(lambda path: (200, {"Content-Type": "application/json"}, b'{"applied": true}'))
    settings.MODULE_SERVICE_URLS = {"inventory": inventory.url}
    settings.CONTRACTS_SERVICE_TOKENS = {"inventory": TOKEN}
    settings.CONTRACTS_CLIENT_TOKEN = "d" * 40
    event_post(base_url=inventory.url, token="", timeout=5, name="checkout.OrderCancelled", payload={})
    assert inventory.requests == [("/internal/events", f"Bearer {TOKEN}")]


def test_the_client_reuses_its_connection_across_calls(servers):
    answer = json.dumps({"result": {"TEE-M": {"sku": "TEE-M", "available": 1}}}).encode()
    server = servers(lambda path: (200, {"Content-Type": "application/json"}, answer))
    client = client_of(server.url)
    for _ in range(20):
        assert client.availability_get(skus=["TEE-M"])["TEE-M"].available == 1
    assert len(server.requests) == 20 and server.connections == 1


def test_a_closed_keep_alive_connection_is_replaced_not_an_error(servers):
    answer = json.dumps({"result": {"TEE-M": {"sku": "TEE-M", "available": 1}}}).encode()
    server = servers(lambda path: (200, {"Content-Type": "application/json", "Connection": "close"}, answer))
    client = client_of(server.url)
    for _ in range(3):
        assert client.availability_get(skus=["TEE-M"])["TEE-M"].available == 1  # as gunicorn's sync workers answer
    assert server.connections == 3
