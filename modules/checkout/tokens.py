"""Order access tokens: handed to the customer once, kept only as a hash.

Whoever holds an order's token may read and cancel it, so a leaked database
(or backup) must not leak working tokens: only the SHA-256 of each is stored.
The raw token appears in the answer to complete (and its replays, for as long
as the Idempotency-Key is kept).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def access_token_hash(token: str) -> str:
    """Return the stored form of an access token."""
    return hashlib.sha256(token.encode()).hexdigest()


def access_token_new() -> tuple[str, str]:
    """Return a fresh access token (256 random bits) and its hash."""
    token = secrets.token_urlsafe(32)
    return token, access_token_hash(token)


def access_token_matches(*, token: str | None, stored_hash: str) -> bool:
    """Say whether ``token`` is the one whose hash is stored, in constant time."""
    return bool(token) and hmac.compare_digest(access_token_hash(token).encode(), stored_hash.encode())
