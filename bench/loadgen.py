"""Drive one flow against one server from its own process: an asyncio HTTP/1.1 client, standard library only.

Run by ``bench/storefront.py`` as a subprocess, so the clients never share a
GIL with the bench or the server:

    python bench/loadgen.py SPEC.json   # prints one JSON document with the figures

The spec names the server (loopback only), the flow, the number of concurrent
clients, and the bounds: a flow is started only before ``seconds`` have passed
and at most ``max_flows`` times, and every request has a time limit. Flows:

- ``get``: one GET per flow, the path drawn from ``paths``;
- ``cart``: create a cart, add one line (a SKU drawn from ``skus``);
- ``checkout``: create a cart, add one line, complete it with an Idempotency-Key;
- ``hot``: ``checkout`` with every client buying ``sku``, each client stopping at
  its first out-of-stock refusal (so the run ends when the SKU is sold out).

Each client opens a connection, keeps it while the server does, and opens a
new one when the server answers ``Connection: close`` (gunicorn's sync
workers always do). The ``X-Bench-SQL`` / ``X-Bench-Tx`` headers of the
bench's middleware are summed per step.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 30.0
ERROR_SAMPLES = 5


class HttpError(Exception):
    """The server broke the protocol or the connection."""


@dataclass
class Step:
    """Figures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    refusals: int = 0
    sql: int = 0
    tx: int = 0
    counted: int = 0  # responses that carried the SQL header
    statuses: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        out = percentiles(self.latencies)
        out.update(
            requests=len(self.latencies),
            errors=self.errors,
            refusals=self.refusals,
            statuses=self.statuses,
            sql_per_request=round(self.sql / self.counted, 2) if self.counted else None,
            tx_per_request=round(self.tx / self.counted, 2) if self.counted else None,
        )
        return out


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000, 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "mean_ms": round(sum(ordered) / len(ordered) * 1000, 2)}


class Connection:
    """One client's HTTP/1.1 connection, reopened whenever the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        reused = self.writer is not None
        try:
            return await self._request(method, path, body, headers or {})
        except (HttpError, ConnectionError, asyncio.IncompleteReadError):
            await self.close()
            if not reused:
                raise
        # A kept-alive connection the server had already closed: nothing was answered, so send it once more.
        return await self._request(method, path, body, headers or {})

    async def _request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        await self.writer.drain()
        assert self.reader is not None
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            raise HttpError("connection closed before the status line") from error
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HttpError(f"bad status line {status_line!r}")
        status = int(parts[1])
        response_headers: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                response_headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304):
            payload = b""
        elif "content-length" in response_headers:
            payload = await self.reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._chunked()
        else:
            payload = await self.reader.read()
            response_headers["connection"] = "close"
        if response_headers.get("connection", "").lower() == "close" or parts[0] == "HTTP/1.0":
            await self.close()
        return status, response_headers, payload

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def is_refusal(status: int, body: bytes) -> bool:
    """An out-of-stock answer: the refusal a sold-out SKU must give, not an error."""
    if status not in (409, 422):
        return False
    try:
        code = str(json.loads(body).get("code", ""))
    except (ValueError, AttributeError):
        return False
    return "stock" in code or code in ("items_unavailable", "unavailable")


class Runner:
    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.steps: dict[str, Step] = {}
        self.flow = Step()
        self.error_samples: list[dict] = []
        self.flows_started = 0
        self.deadline = 0.0
        self.last_success = 0.0

    def step(self, name: str) -> Step:
        return self.steps.setdefault(name, Step())

    def _sample(self, name: str, method: str, path: str, body: bytes | None, status: int | str, answer: bytes) -> None:
        if len(self.error_samples) < ERROR_SAMPLES:
            self.error_samples.append(
                {
                    "step": name,
                    "request": f"{method} {path}",
                    "request_body": body.decode("utf-8", "replace") if body else None,
                    "status": status,
                    "response": answer[:800].decode("utf-8", "replace"),
                }
            )

    async def call(
        self,
        conn: Connection,
        name: str,
        method: str,
        path: str,
        *,
        expect: int,
        payload: object = None,
        headers: dict[str, str] | None = None,
        refusal_ok: bool = False,
    ) -> tuple[str, bytes]:
        """Send one request; return ("ok" | "refused" | "error", body)."""
        step = self.step(name)
        body = json.dumps(payload).encode() if payload is not None else None
        started = time.perf_counter()
        try:
            status, response_headers, answer = await asyncio.wait_for(
                conn.request(method, path, body=body, headers=headers), REQUEST_TIMEOUT
            )
        except (OSError, HttpError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            step.latencies.append(time.perf_counter() - started)
            step.errors += 1
            step.statuses["exception"] = step.statuses.get("exception", 0) + 1
            self._sample(name, method, path, body, type(error).__name__, str(error).encode())
            await conn.close()
            return "error", b""
        step.latencies.append(time.perf_counter() - started)
        step.statuses[str(status)] = step.statuses.get(str(status), 0) + 1
        if "x-bench-sql" in response_headers:
            step.counted += 1
            step.sql += int(response_headers["x-bench-sql"])
            step.tx += int(response_headers.get("x-bench-tx", 0))
        if status == expect:
            return "ok", answer
        if refusal_ok and is_refusal(status, answer):
            step.refusals += 1
            return "refused", answer
        step.errors += 1
        self._sample(name, method, path, body, status, answer)
        return "error", answer

    async def one_flow(self, conn: Connection, rng: random.Random) -> str:
        spec = self.spec
        kind = spec["flow"]
        if kind == "get":
            outcome, _ = await self.call(conn, "GET", "GET", rng.choice(spec["paths"]), expect=200)
            return outcome
        hot = kind == "hot"
        outcome, answer = await self.call(
            conn, "cart create", "POST", "/api/v1/checkout/carts/", expect=201, payload={"currency": spec["currency"]}
        )
        if outcome != "ok":
            return outcome
        try:
            token = json.loads(answer)["token"]
        except (ValueError, KeyError, TypeError):
            return "error"
        sku = spec["sku"] if hot else rng.choice(spec["skus"])
        outcome, _ = await self.call(
            conn,
            "add line",
            "POST",
            f"/api/v1/checkout/carts/{token}/lines/",
            expect=200,
            payload={"sku": sku, "quantity": 1},
            refusal_ok=hot,
        )
        if outcome != "ok" or kind == "cart":
            return outcome
        outcome, _ = await self.call(
            conn,
            "complete",
            "POST",
            f"/api/v1/checkout/carts/{token}/complete/",
            expect=201,
            payload=spec["complete_body"],
            headers={"Idempotency-Key": str(uuid.UUID(int=rng.getrandbits(128)))},
            refusal_ok=True,
        )
        return outcome

    async def client(self, index: int) -> None:
        rng = random.Random(f"{self.spec.get('seed', 1)}-{index}")
        conn = Connection(self.spec["host"], self.spec["port"])
        try:
            while time.monotonic() < self.deadline and self.flows_started < self.spec["max_flows"]:
                self.flows_started += 1
                started = time.perf_counter()
                outcome = await self.one_flow(conn, rng)
                elapsed = time.perf_counter() - started
                if outcome == "ok":
                    self.flow.latencies.append(elapsed)
                    self.last_success = time.monotonic()
                elif outcome == "refused":
                    self.flow.refusals += 1
                    if self.spec["flow"] == "hot":
                        return  # sold out: this client is done
                else:
                    self.flow.errors += 1
        finally:
            await conn.close()

    async def run(self) -> dict:
        spec = self.spec
        if spec["host"] not in ("127.0.0.1", "::1", "localhost"):
            raise SystemExit("loopback only")
        started = time.monotonic()
        self.deadline = started + spec["seconds"]
        await asyncio.gather(*(self.client(i) for i in range(spec["concurrency"])))
        ended = time.monotonic()
        elapsed = ended - started
        ok = len(self.flow.latencies)
        summary = self.flow.summary()
        summary.update(
            flow=spec["flow"],
            concurrency=spec["concurrency"],
            elapsed_s=round(elapsed, 3),
            ok=ok,
            rate=round(ok / elapsed, 2) if elapsed > 0 else 0.0,
            # Until the last success: for a hot SKU, the rate while there was stock to sell.
            rate_until_last_success=round(ok / (self.last_success - started), 2) if ok and self.last_success > started else 0.0,
            steps={name: step.summary() for name, step in self.steps.items()},
            error_samples=self.error_samples,
        )
        requests = sum(len(s.latencies) for s in self.steps.values())
        summary["requests_total"] = requests
        summary["request_rate"] = round(requests / elapsed, 2) if elapsed > 0 else 0.0
        return summary


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    spec.setdefault("host", "127.0.0.1")
    spec.setdefault("max_flows", 10_000_000)
    spec.setdefault("currency", "EUR")
    result = asyncio.run(Runner(spec).run())
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
