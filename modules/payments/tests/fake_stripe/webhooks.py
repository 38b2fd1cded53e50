"""Sign and send webhook deliveries the way Stripe documents them.

A delivery is the event's JSON body with a ``Stripe-Signature`` header
``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the endpoint's
signing secret>``. This is written from the documentation, not taken from the
stripe library, so the tests check the library's verification against an
independent signer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any


def signature_header(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """Return the ``Stripe-Signature`` value for ``payload`` signed with ``secret`` at ``timestamp`` (default: now)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{stamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def signed_delivery(
    event: Mapping[str, Any], secret: str, *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """Return the body and headers Stripe would POST for ``event`` (pretty-printed JSON, as Stripe sends it)."""
    payload = json.dumps(event, indent=2).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": signature_header(payload, secret, timestamp=timestamp),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    return payload, headers


def post(url: str, payload: bytes, headers: Mapping[str, str], *, timeout: float = 5.0) -> tuple[int, bytes]:
    """POST a delivery to ``url`` and return the status and body it answered (errors included)."""
    request = urllib.request.Request(url, data=payload, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a local test URL
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def send_webhook(
    url: str, event: Mapping[str, Any], secret: str, *, timestamp: int | None = None, timeout: float = 5.0
) -> tuple[int, bytes]:
    """Sign ``event`` with ``secret`` and POST it to ``url``; return the answer's status and body."""
    payload, headers = signed_delivery(event, secret, timestamp=timestamp)
    return post(url, payload, headers, timeout=timeout)
