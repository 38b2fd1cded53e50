"""Drive one flow against one server from its own process: an asyncio HTTP/1.1 client, standard library only.

Run by ``bench/storefront.py`` as a subprocess, so the clients never share a
GIL with the bench or the server:

    python bench/loadgen.py SPEC.json [--summary]   # prints the raw figures (or their summary) as JSON

The spec names the server (loopback only), the flow, the number of concurrent
clients, and the bounds: a flow is started only before ``seconds`` have passed
and at most ``max_flows`` times, and every request has a time limit. Flows:

- ``get``: one GET per flow, the path drawn from ``paths`` (or taken in order, with ``in_order``);
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

    def raw(self) -> dict:
        return {
            "latencies": self.latencies,
            "errors": self.errors,
            "refusals": self.refusals,
            "sql": self.sql,
            "tx": self.tx,
            "counted": self.counted,
            "statuses": self.statuses,
        }


def _merge_steps(raws: list[dict]) -> dict:
    merged = {"latencies": [], "errors": 0, "refusals": 0, "sql": 0, "tx": 0, "counted": 0, "statuses": {}}
    for raw in raws:
        merged["latencies"] += raw["latencies"]
        for key in ("errors", "refusals", "sql", "tx", "counted"):
            merged[key] += raw[key]
        for status, n in raw["statuses"].items():
            merged["statuses"][status] = merged["statuses"].get(status, 0) + n
    return merged


def _step_summary(raw: dict) -> dict:
    out = percentiles(raw["latencies"])
    out.update(
        requests=len(raw["latencies"]),
        errors=raw["errors"],
        refusals=raw["refusals"],
        statuses=raw["statuses"],
        sql_per_request=round(raw["sql"] / raw["counted"], 2) if raw["counted"] else None,
        tx_per_request=round(raw["tx"] / raw["counted"], 2) if raw["counted"] else None,
    )
    return out


def summarize(parts: list[dict]) -> dict:
    """Merge the raw figures of one or more load generator processes that ran side by side into one summary."""
    elapsed = max(part["elapsed_s"] for part in parts)
    flow = _merge_steps([part["flow"] for part in parts])
    ok = len(flow["latencies"])
    last_success = max(part["last_success_s"] for part in parts)
    names = list(dict.fromkeys(name for part in parts for name in part["steps"]))
    steps = {name: _step_summary(_merge_steps([p["steps"][name] for p in parts if name in p["steps"]])) for name in names}
    summary = _step_summary(flow)
    requests = sum(step["requests"] for step in steps.values())
    seconds = max(part["seconds"] for part in parts)
    timed = elapsed >= seconds and parts[0]["flow_kind"] != "hot"
    # The steady rate: completions between the first and the last one (within the time, for a timed run), over the
    # time between them. Neither the first round's latency (all clients start at once) nor the wait for flows still
    # running at the end dilutes it; a hot SKU's run ends when it is sold out.
    ends = sorted(t for part in parts for t in part["ok_times"] if not timed or t <= part["deadline"])
    concurrency = sum(part["concurrency"] for part in parts)
    # Too few completions (flows as long as the run) come in bursts of the clients' first rounds: use the wall rate.
    if len(ends) > max(2, 2 * concurrency) and ends[-1] > ends[0]:
        rate = round((len(ends) - 1) / (ends[-1] - ends[0]), 2)
    else:
        rate = round(ok / elapsed, 2) if elapsed > 0 else 0.0
    wall_rate = round(ok / elapsed, 2) if elapsed > 0 else 0.0
    until_last = round(ok / last_success, 2) if ok and last_success > 0 else 0.0
    summary.update(
        flow=parts[0]["flow_kind"],
        concurrency=concurrency,
        processes=len(parts),
        elapsed_s=round(elapsed, 3),
        ok=ok,
        rate=rate,
        rate_wall=wall_rate,  # every success over the whole run, the wait for the last flows included
        rate_until_last_success=until_last,
        requests_total=requests,
        # CPU seconds the clients used per second of the run: near ``processes``, the load generator set the pace.
        loadgen_cpu_share=round(sum(part["cpu_s"] for part in parts) / elapsed, 3) if elapsed > 0 else None,
        request_rate=round(requests / elapsed, 2) if elapsed > 0 else 0.0,  # every request, over the whole run
        steps=steps,
        error_samples=[sample for part in parts for sample in part["error_samples"]][:ERROR_SAMPLES],
    )
    return summary


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000, 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "mean_ms": round(sum(ordered) / len(ordered) * 1000, 2)}


class _Protocol(asyncio.Protocol):
    """One TCP connection: writes a request, collects its response (Content-Length, chunked, or until close)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.head: tuple[int, dict[str, str], int] | None = None
        self.eof = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._complete()

    def eof_received(self) -> bool:
        self.eof = True
        self._complete()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = self.eof = True
        self._complete()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HttpError("connection closed before the response was complete"))

    def send(self, payload: bytes) -> asyncio.Future:
        self.buffer.clear()
        self.head = None
        self.waiter = asyncio.get_running_loop().create_future()
        assert self.transport is not None
        self.transport.write(payload)
        return self.waiter

    def _complete(self) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        buffer = self.buffer
        if self.head is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status_line, *lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
            parts = status_line.split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
                waiter.set_exception(HttpError(f"bad status line {status_line!r}"))
                return
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if parts[0] == "HTTP/1.0":
                headers["connection"] = "close"
            self.head = (int(parts[1]), headers, end + 4)
        status, headers, start = self.head
        if status in (204, 304):
            body: bytes | None = b""
        elif "content-length" in headers:
            length = int(headers["content-length"])
            body = bytes(buffer[start : start + length]) if len(buffer) - start >= length else None
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked(start)
        else:
            headers["connection"] = "close"
            body = bytes(buffer[start:]) if self.eof else None
        if body is not None:
            waiter.set_result((status, headers, body))

    def _chunked(self, position: int) -> bytes | None:
        buffer, chunks = self.buffer, []
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return None
            size = int(bytes(buffer[position:line_end]).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return b"".join(chunks) if buffer.find(b"\r\n", line_end + 2) >= 0 else None
            if len(buffer) < line_end + 2 + size + 2:
                return None
            chunks.append(bytes(buffer[line_end + 2 : line_end + 2 + size]))
            position = line_end + 2 + size + 2


class Connection:
    """One client's HTTP/1.1 connection, reopened whenever the server closes it (gunicorn's sync workers always do)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.protocol: _Protocol | None = None

    async def close(self) -> None:
        if self.protocol is not None and self.protocol.transport is not None:
            self.protocol.transport.close()
        self.protocol = None

    async def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: application/json"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        reused = self.protocol is not None and not self.protocol.closed
        try:
            return await self._exchange(payload)
        except (HttpError, ConnectionError):
            await self.close()
            if not reused:
                raise
        # A kept-alive connection the server had already closed: nothing was answered, so send it once more.
        return await self._exchange(payload)

    async def _exchange(self, payload: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.protocol is None or self.protocol.closed:
            _, self.protocol = await asyncio.get_running_loop().create_connection(_Protocol, self.host, self.port)
        status, headers, body = await self.protocol.send(payload)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, body


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
        self.ok_times: list[float] = []  # when each flow that succeeded ended (CLOCK_MONOTONIC, shared by processes)

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
            async with asyncio.timeout(REQUEST_TIMEOUT):
                status, response_headers, answer = await conn.request(method, path, body=body, headers=headers)
        except (OSError, HttpError, TimeoutError, ValueError) as error:
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
            paths = spec["paths"]
            path = paths[(self.flows_started - 1) % len(paths)] if spec.get("in_order") else rng.choice(paths)
            outcome, _ = await self.call(conn, "GET", "GET", path, expect=200)
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
        # As a storefront pays: a payment session for the cart's total, paid into at once with the test card.
        outcome, answer = await self.call(
            conn,
            "payment session",
            "POST",
            "/api/v1/payments/sessions/",
            expect=201,
            payload={"cart": token, "payment_method": spec.get("payment_method", "pm_card_visa")},
        )
        if outcome != "ok":
            return outcome
        try:
            session = json.loads(answer)["id"]
        except (ValueError, KeyError, TypeError):
            return "error"
        outcome, _ = await self.call(
            conn,
            "complete",
            "POST",
            f"/api/v1/checkout/carts/{token}/complete/",
            expect=201,
            payload={**spec["complete_body"], "payment": {"session": session}},
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
                    self.ok_times.append(self.last_success)
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
        started, cpu_started = time.monotonic(), time.process_time()
        self.deadline = started + spec["seconds"]
        await asyncio.gather(*(self.client(i) for i in range(spec["concurrency"])))
        return {
            "cpu_s": time.process_time() - cpu_started,
            "flow_kind": spec["flow"],
            "concurrency": spec["concurrency"],
            "elapsed_s": time.monotonic() - started,
            "seconds": spec["seconds"],
            "deadline": self.deadline,
            "ok_times": self.ok_times,
            "last_success_s": self.last_success - started if self.last_success else 0.0,
            "flow": self.flow.raw(),
            "steps": {name: step.raw() for name, step in self.steps.items()},
            "error_samples": self.error_samples,
        }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    spec.setdefault("host", "127.0.0.1")
    spec.setdefault("max_flows", 10_000_000)
    spec.setdefault("currency", "EUR")
    raw = asyncio.run(Runner(spec).run())
    sys.stdout.write(json.dumps(summarize([raw]) if "--summary" in sys.argv else raw) + "\n")


if __name__ == "__main__":
    main()
