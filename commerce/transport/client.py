"""An HTTP client that implements a module's contract Protocol by calling the process that runs it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from commerce.transport.protocols import contract_methods
from contracts.codec import error_from_primitive, from_primitive, to_primitive
from contracts.errors import ContractError, ServiceUnavailable


class ContractClient:
    """Serve ``protocol`` by POSTing each call to ``base_url``/internal/contracts/<module>/<method>.

    Contract errors raised over there are raised here as the same classes;
    a timeout, a refused connection or a broken answer is ``ServiceUnavailable``,
    which callers already handle (the storefront degrades, checkout frees the key).
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
            return from_primitive(hints["return"], self._post(name, {"kwargs": to_primitive(kwargs)})["result"])

        call.__name__ = name
        return call

    def _post(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self._base_url}/internal/contracts/{self._module}/{method}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as response:
            try:
                body = json.load(response)
            except ValueError:
                body = {}
            if "error" in body:
                raise error_from_primitive(body["error"], base=ContractError) from None
            raise ServiceUnavailable(f"{self._module} answered {response.code} to {method}") from None
        except (OSError, ValueError) as error:  # refused, reset, timed out, or not JSON
            raise ServiceUnavailable(f"{self._module} did not answer {method}: {error}") from None


def event_post(*, base_url: str, token: str, timeout: float, name: str, payload: dict[str, Any]) -> None:
    """Deliver an event to the process at ``base_url``; raise unless all its subscribers applied it."""
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/internal/events",
        data=json.dumps({"name": name, "payload": payload}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as response:
        raise ServiceUnavailable(f"{base_url} refused {name}: {response.code} {response.read()[:500]!r}") from None
    except OSError as error:
        raise ServiceUnavailable(f"{base_url} did not take {name}: {error}") from None
