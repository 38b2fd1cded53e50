"""A fake Stripe API served over real HTTP on 127.0.0.1, so the real stripe library runs in tests without network.

Usage::

    with FakeStripe() as fake:
        client = stripe.StripeClient(fake.secret_key, base_addresses={"api": fake.api_base})

The server speaks Stripe's wire format: form-encoded requests with
``metadata[key]=value`` brackets, ``Authorization: Bearer <key>``, JSON objects
and Stripe error objects with their HTTP statuses (400/401/402/404/409/429/500).
``Idempotency-Key`` behaves as Stripe documents: the first answer of an
executed request is stored and replayed for the same key and parameters (with
``Idempotent-Replayed: true``); the same key with other parameters is a 400
``idempotency_error``; a request refused in validation stores nothing.

Faults for tests (``fail_next``), each consumed by the next matching request:

- ``"500"``: an ``api_error`` answered before anything executes;
- ``"429"``: a rate-limit error, before anything executes;
- ``"hang"``: no answer for ``hang_seconds`` (past the client's timeout), nothing executes;
- ``"accept_then_hang"``: the request executes and its answer is stored under its
  idempotency key, then the answer is held past the client's timeout (the
  "charged, but the caller never heard" case).

3-D Secure: confirming with ``pm_card_authenticationRequired`` leaves the intent
in ``requires_action`` with a ``next_action`` pointing at ``/3ds/<intent>`` on
this server; a GET there (``?result=fail`` to refuse) completes the
authentication and redirects to the ``return_url``, as the bank's page would.
``authenticate()`` does the same from Python.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from modules.payments.tests.fake_stripe.forms import FormError, form_decode
from modules.payments.tests.fake_stripe.state import API_VERSION, ApiError, StripeState, invalid
from modules.payments.tests.fake_stripe.webhooks import send_webhook

Fault = Literal["500", "429", "hang", "accept_then_hang"]

_INTENT = re.compile(r"^/v1/payment_intents/([A-Za-z0-9_]+)$")
_INTENT_ACTION = re.compile(r"^/v1/payment_intents/([A-Za-z0-9_]+)/(confirm|capture|cancel)$")
_AUTHENTICATION = re.compile(r"^/3ds/([A-Za-z0-9_]+)$")


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as the fake received it."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    api_key: str
    stripe_version: str | None


@dataclass
class _Stored:
    fingerprint: str
    status: int | None = None  # None while the first request is still executing
    body: bytes = b""
    request_id: str = ""


@dataclass
class _FaultPlan:
    fault: Fault
    times: int
    path: str
    method: str | None


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeStripe


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.fake._serve(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.server.fake._serve(self, "POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self.server.fake._serve(self, "DELETE")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet in tests
        pass


class FakeStripe:
    """A running fake Stripe account; see the module docstring."""

    secret_key = "sk_test_fake_51Fake"
    publishable_key = "pk_test_fake_51Fake"
    webhook_secret = "whsec_fake_signing_secret"

    def __init__(self, *, hang_seconds: float = 3.0) -> None:
        self.hang_seconds = hang_seconds
        self.state = StripeState()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._stored: dict[tuple[str, str], _Stored] = {}
        self._faults: list[_FaultPlan] = []
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._request_ids = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeStripe:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.state.base_url = self.api_base
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()  # wake hanging requests
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def api_base(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------ test controls

    def fail_next(self, fault: Fault, *, times: int = 1, path: str = "/v1/", method: str | None = None) -> None:
        """Answer the next ``times`` requests whose path starts with ``path`` (and ``method``) with ``fault``."""
        with self._lock:
            self._faults.append(_FaultPlan(fault, times, path, method))

    def authenticate(self, intent_id: str, *, succeed: bool = True) -> dict[str, Any]:
        """Complete (or fail) the customer's 3-D Secure step for ``intent_id``; return the intent."""
        with self._lock:
            return self.state.authenticate(intent_id, succeed=succeed)

    def settle_refund(self, refund_id: str, *, status: str = "succeeded") -> dict[str, Any]:
        with self._lock:
            return self.state.settle_refund(refund_id, status=status)

    def intent(self, intent_id: str) -> dict[str, Any]:
        with self._lock:
            return json.loads(json.dumps(self.state.intents[intent_id]))

    def events(self, *types: str) -> list[dict[str, Any]]:
        """The events emitted so far (oldest first), only of ``types`` when given."""
        with self._lock:
            return [json.loads(json.dumps(e.body)) for e in self.state.events if not types or e.type in types]

    def writes(self) -> list[RecordedRequest]:
        """The POST requests received so far."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def deliver(
        self, url: str, events: list[dict[str, Any]], *, secret: str | None = None, timestamp: int | None = None
    ) -> list[int]:
        """Sign each event with the webhook secret and POST it to ``url``; return the statuses answered."""
        return [send_webhook(url, e, secret or self.webhook_secret, timestamp=timestamp)[0] for e in events]

    def confirm_as_storefront(
        self, *, client_secret: str, payment_method: str, return_url: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Confirm an intent with the publishable key and client secret, as Stripe.js does in the customer's browser."""
        intent_id = client_secret.split("_secret_")[0]
        fields = {"client_secret": client_secret, "payment_method": payment_method}
        if return_url:
            fields["return_url"] = return_url
        request = urllib.request.Request(
            f"{self.api_base}/v1/payment_intents/{intent_id}/confirm",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Authorization": f"Bearer {self.publishable_key}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - the local fake
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    # ------------------------------------------------------------------ serving

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if match := _AUTHENTICATION.match(url.path):
            self._serve_authentication(handler, match.group(1), url.query)
            return
        api_key = handler.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        key = handler.headers.get("Idempotency-Key")
        try:
            text = raw.decode() if method == "POST" else url.query
            params = form_decode(urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        except (FormError, UnicodeDecodeError, ValueError) as error:
            self._respond(handler, self._error(invalid(f"Invalid request: {error}", executed=False)))
            return
        with self._lock:
            self.requests.append(
                RecordedRequest(method, url.path, params, key, api_key, handler.headers.get("Stripe-Version"))
            )
        if api_key not in (self.secret_key, self.publishable_key):
            shown = f"{api_key[:8]}*****{api_key[-4:]}" if len(api_key) > 12 else api_key
            self._respond(
                handler,
                self._error(ApiError(401, "invalid_request_error", f"Invalid API Key provided: {shown}", executed=False)),
            )
            return
        fault = self._take_fault(method, url.path)
        if fault == "500":
            self._respond(handler, self._error(ApiError(500, "api_error", "An unknown error occurred", executed=False)))
            return
        if fault == "429":
            error = ApiError(
                429,
                "invalid_request_error",
                "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
                code="rate_limit",
                executed=False,
            )
            self._respond(handler, self._error(error))
            return
        if fault == "hang":
            self._released.wait(self.hang_seconds)
            handler.close_connection = True
            return
        answer = self._execute(method, url.path, params, key=key, api_key=api_key)
        if fault == "accept_then_hang":
            self._released.wait(self.hang_seconds)
        self._respond(handler, answer)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for plan in self._faults:
                if path.startswith(plan.path) and plan.method in (None, method):
                    plan.times -= 1
                    if plan.times <= 0:
                        self._faults.remove(plan)
                    return plan.fault
        return None

    def _execute(self, method: str, path: str, params: dict[str, Any], *, key: str | None, api_key: str) -> _Answer:
        """Run one API request under Stripe's idempotency rules."""
        if method != "POST" or not key:
            with self._lock:
                return self._dispatch(method, path, params, api_key=api_key, key=key)
        fingerprint = json.dumps([path, params], sort_keys=True)
        with self._lock:
            stored = self._stored.get((api_key, key))
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    return self._error(
                        ApiError(
                            400,
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters they were first "
                            f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
                            executed=False,
                        )
                    )
                if stored.status is None:
                    return self._error(
                        ApiError(
                            409,
                            "invalid_request_error",
                            "There is currently another in-progress request using this Stripe token (probably the same "
                            "idempotency key). Please try again later.",
                            code="idempotency_key_in_use",
                            executed=False,
                        )
                    )
                return _Answer(
                    stored.status,
                    stored.body,
                    {"Idempotent-Replayed": "true", "Original-Request": stored.request_id, "Idempotency-Key": key},
                )
            stored = self._stored[(api_key, key)] = _Stored(fingerprint)
            answer = self._dispatch(method, path, params, api_key=api_key, key=key)
            if answer.headers.pop("X-Fake-Executed", "true") == "true":
                stored.status, stored.body, stored.request_id = answer.status, answer.body, answer.headers["Request-Id"]
            else:
                del self._stored[(api_key, key)]
            answer.headers["Idempotency-Key"] = key
            return answer

    def _dispatch(self, method: str, path: str, params: dict[str, Any], *, api_key: str, key: str | None) -> _Answer:
        self._request_ids += 1
        request_id = f"req_Fake{self._request_ids:010d}"
        request = {"id": request_id, "idempotency_key": key}
        publishable = api_key == self.publishable_key
        state = self.state
        route: Callable[[], dict[str, Any]] | None = None
        if method == "POST" and path == "/v1/payment_intents" and not publishable:
            route = lambda: state.intent_create(params, request=request)  # noqa: E731
        elif method == "GET" and (match := _INTENT.match(path)):
            intent_id = match.group(1)
            route = lambda: state.intent_retrieve(intent_id, params, publishable=publishable)  # noqa: E731
        elif method == "POST" and (match := _INTENT_ACTION.match(path)):
            intent_id, action = match.groups()
            if action == "confirm":
                route = lambda: state.intent_confirm(intent_id, params, request=request, publishable=publishable)  # noqa: E731
            elif not publishable:
                handler = state.intent_capture if action == "capture" else state.intent_cancel
                route = lambda: handler(intent_id, params, request=request)  # noqa: E731
        elif method == "POST" and path == "/v1/refunds" and not publishable:
            route = lambda: state.refund_create(params, request=request)  # noqa: E731
        try:
            if route is None:
                if publishable and (path.startswith("/v1/payment_intents") or path == "/v1/refunds"):
                    raise ApiError(
                        401,
                        "invalid_request_error",
                        "This API call cannot be made with a publishable API key. Please use a secret API key.",
                        executed=False,
                    )
                raise ApiError(
                    404,
                    "invalid_request_error",
                    f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs.",
                    executed=False,
                )
            obj = route()
        except ApiError as error:
            answer = self._error(error)
            answer.headers["Request-Id"] = request_id
            return answer
        return _Answer(200, json.dumps(obj, indent=2).encode(), {"Request-Id": request_id})

    def _error(self, error: ApiError) -> _Answer:
        headers = {"X-Fake-Executed": "true" if error.executed else "false"}
        if error.status == 429 or error.status >= 500:
            headers["Stripe-Should-Retry"] = "true"
        return _Answer(error.status, json.dumps(error.body(), indent=2).encode(), headers)

    def _respond(self, handler: BaseHTTPRequestHandler, answer: _Answer) -> None:
        headers = {"Request-Id": "req_FakeNone", **answer.headers}
        headers.pop("X-Fake-Executed", None)
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(answer.body)))
            handler.send_header("Stripe-Version", handler.headers.get("Stripe-Version") or API_VERSION)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (timed out) before the answer

    def _serve_authentication(self, handler: BaseHTTPRequestHandler, intent_id: str, query: str) -> None:
        """The bank's 3-D Secure page: completing it authenticates and sends the customer back to the shop."""
        succeed = urllib.parse.parse_qs(query).get("result", ["succeed"])[0] != "fail"
        try:
            with self._lock:
                intent = self.state.authenticate(intent_id, succeed=succeed)
                back = self.state.return_url(intent_id)
        except (ValueError, ApiError) as error:
            body = f"cannot authenticate: {error}".encode()
            self._respond(handler, _Answer(400, body))
            return
        if back:
            query = urllib.parse.urlencode(
                {
                    "payment_intent": intent_id,
                    "payment_intent_client_secret": intent["client_secret"],
                    "redirect_status": "succeeded" if succeed else "failed",
                }
            )
            location = f"{back}{'&' if '?' in back else '?'}{query}"
            self._respond(handler, _Answer(302, b"", {"Location": location}))
            return
        self._respond(handler, _Answer(200, json.dumps({"status": intent["status"]}).encode()))

