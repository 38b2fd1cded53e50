"""An HTTP client that implements a module's contract Protocol by calling the process that runs it.

Connections are pooled and kept alive (one pool per process, rebuilt after a
fork), so a call on a warm connection costs one round trip. Redirects are
never followed: a 3xx is an error, and the token goes nowhere but the URL
configured for the module.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any

import urllib3
from django.conf import settings

from commerce.transport.credentials import client_token_for
from commerce.transport.protocols import contract_methods
from contracts.codec import error_from_primitive, from_primitive, to_primitive
from contracts.errors import ContractError, ServiceUnavailable

# Connections kept per host: one per thread that calls at the same time, beyond it one is opened and dropped.
POOL_CONNECTIONS_PER_HOST = 16

_pool_lock = threading.Lock()
_pool: urllib3.PoolManager | None = None


def _pool_forget() -> None:
    global _pool
    _pool = None  # a child process must not share its parent's sockets


os.register_at_fork(after_in_child=_pool_forget)


def http_pool() -> urllib3.PoolManager:
    """Return this process's pool of keep-alive connections to the other services."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = urllib3.PoolManager(num_pools=16, maxsize=POOL_CONNECTIONS_PER_HOST, block=False, retries=False)
    return _pool


def _post(url: str, *, token: str, timeout: float, payload: dict[str, Any]) -> urllib3.BaseHTTPResponse:
    """POST ``payload`` as JSON to ``url``; never follow a redirect, never retry (the callers' outboxes and keys do)."""
    return http_pool().request(
        "POST",
        url,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        timeout=urllib3.Timeout(total=timeout),
        redirect=False,
        retries=False,
    )


class ContractClient:
    """Serve ``protocol`` by POSTing each call to ``base_url``/internal/contracts/<module>/<method>.

    Contract errors raised over there are raised here as the same classes;
    a timeout, a refused connection, a redirect or a broken answer is
    ``ServiceUnavailable``, which callers already handle (the storefront
    degrades, checkout frees the key).
    """

    def __init__(self, *, module: str, protocol: type, base_url: str, token: str, timeout: float) -> None:
        self._module = module
        self._methods = contract_methods(protocol)
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def __getattr__(self, name: str) -> Callable[..., Any]:
        hints = self.__dict__.get("_methods", {}).get(name)
        if hints is None:
            raise AttributeError(name)

        def call(**kwargs: Any) -> Any:
            return from_primitive(hints["return"], self._call(name, {"kwargs": to_primitive(kwargs)})["result"])

        call.__name__ = name
        return call

    def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._base_url}/internal/contracts/{self._module}/{method}"
        try:
            response = _post(url, token=self._token, timeout=self._timeout, payload=payload)
        except urllib3.exceptions.HTTPError as error:  # refused, reset, timed out
            raise ServiceUnavailable(f"{self._module} did not answer {method}: {error}") from None
        try:
            body = json.loads(response.data)
        except ValueError:
            body = None
        if response.status == 200 and isinstance(body, dict) and "result" in body:
            return body
        if response.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
            raise error_from_primitive(body["error"], base=ContractError) from None
        if 300 <= response.status < 400:
            raise ServiceUnavailable(
                f"{self._module} answered {response.status} to {method}: redirects are not followed"
            ) from None
        raise ServiceUnavailable(f"{self._module} answered {response.status} to {method}") from None


def event_post(*, base_url: str, token: str, timeout: float, name: str, payload: dict[str, Any]) -> None:
    """Deliver an event to the process at ``base_url``; raise unless all its subscribers applied it.

    The token presented is the one configured for the module served at
    ``base_url`` (``<MODULE>_SERVICE_TOKEN``, else ``CONTRACTS_CLIENT_TOKEN``);
    ``token`` is the fallback for a URL no module is configured at.
    """
    module = next((m for m, url in settings.MODULE_SERVICE_URLS.items() if url == base_url), None)
    token = client_token_for(module) if module else (token or settings.CONTRACTS_CLIENT_TOKEN)
    try:
        response = _post(
            f"{base_url.rstrip('/')}/internal/events", token=token, timeout=timeout, payload={"name": name, "payload": payload}
        )
    except urllib3.exceptions.HTTPError as error:
        raise ServiceUnavailable(f"{base_url} did not take {name}: {error}") from None
    if response.status != 200:
        raise ServiceUnavailable(f"{base_url} refused {name}: {response.status} {response.data[:500]!r}")


def event_send(*, module: str, name: str, payload: dict[str, Any]) -> None:
    """Deliver an event to the service that runs ``module``, with the URL, token and time limit configured for it."""
    event_post(
        base_url=settings.MODULE_SERVICE_URLS[module],
        token=client_token_for(module),
        timeout=settings.CONTRACTS_TIMEOUT_SECONDS,
        name=name,
        payload=payload,
    )
