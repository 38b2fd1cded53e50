"""The load generator speaks HTTP/1.1 as gunicorn does: closed connections, Content-Length, chunked, keep-alive."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, *, chunked: bool = False, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Bench-SQL", "3")
        self.send_header("X-Bench-Tx", "1")
        if close:
            self.send_header("Connection", "close")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 7):
                piece = body[start : start + 7]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        if close:
            self.close_connection = True

    def do_GET(self) -> None:
        self._send(200, b'{"results": [1, 2, 3]}', chunked="chunked" in self.path, close="close" in self.path)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/api/v1/checkout/carts/":
            self._send(201, json.dumps({"token": "t0k"}).encode(), close=True)
        elif self.path.endswith("/lines/"):
            self._send(200, b"{}", chunked=True)
        elif self.path == "/api/v1/payments/sessions/" and body == {"cart": "t0k", "payment_method": "pm_card_visa"}:
            self._send(201, json.dumps({"id": "ps_1"}).encode())
        elif self.headers.get("Idempotency-Key") and body["payment"] == {"session": "ps_1"}:
            self._send(409, json.dumps({"code": "out_of_stock"}).encode(), close=True)
        else:
            self._send(500, b"{}")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def drive(tmp_path: Path, spec: dict) -> dict:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"seconds": 5, **spec}))
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "loadgen.py"), str(path), "--summary"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", ["/keep-alive", "/close", "/chunked", "/chunked-close"])
def test_gets_are_counted_with_their_sql(tmp_path: Path, server: int, path: str) -> None:
    figures = drive(tmp_path, {"port": server, "flow": "get", "paths": [path], "concurrency": 3, "max_flows": 30})
    assert (figures["ok"], figures["errors"], figures["steps"]["GET"]["sql_per_request"]) == (30, 0, 3.0)


def test_a_hot_sku_client_stops_at_its_first_refusal(tmp_path: Path, server: int) -> None:
    spec = {"port": server, "flow": "hot", "sku": "A-1", "concurrency": 2, "complete_body": {"email": "a@example.com"}}
    figures = drive(tmp_path, spec)
    assert (figures["ok"], figures["refusals"], figures["errors"]) == (0, 2, 0)
    assert figures["steps"]["complete"]["refusals"] == 2
    assert figures["steps"]["add line"]["tx_per_request"] == 1.0
