"""Access and refresh tokens of storefront customers, on djangorestframework-simplejwt.

simplejwt signs, decodes and checks expiry and token type; the claims are
ours, since customers are not ``auth.User``: ``customer_id``, ``gen`` (the
customer's token generation when issued) and ``sid`` (the sign-in session a
token belongs to). Revocation lives in this module's tables (``models``),
not in simplejwt's blacklist app, whose rows point at ``auth.User``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import Token

from contracts.customers import CustomerTokenInvalid


class CustomerAccessToken(Token):
    token_type = "customer_access"  # never accepted where another kind of simplejwt token is, nor the reverse

    @property
    def lifetime(self) -> timedelta:  # read per token, so the operator's (and a test's) setting applies
        return timedelta(seconds=settings.CUSTOMERS_ACCESS_TOKEN_SECONDS)


class CustomerRefreshToken(Token):
    token_type = "customer_refresh"

    @property
    def lifetime(self) -> timedelta:
        return timedelta(days=settings.CUSTOMERS_REFRESH_TOKEN_DAYS)


def token_pair_build(*, customer_id: int, generation: int, session_id: str) -> tuple[CustomerAccessToken, CustomerRefreshToken]:
    """Return a new access token and refresh token of one sign-in session."""
    pair = (CustomerAccessToken(), CustomerRefreshToken())
    for token in pair:
        token["customer_id"] = customer_id
        token["gen"] = generation
        token["sid"] = session_id
    return pair


def token_claims(*, token: str, kind: type[Token]) -> dict[str, Any]:
    """Return the claims of a genuine, unexpired token of ``kind``; raises ``CustomerTokenInvalid``."""
    try:
        claims = kind(token.encode() if isinstance(token, str) else token).payload  # type: ignore[arg-type]
    except TokenError as error:
        raise CustomerTokenInvalid(str(error)) from None
    if not isinstance(claims.get("customer_id"), int) or not isinstance(claims.get("gen"), int) or not claims.get("sid"):
        raise CustomerTokenInvalid("The token carries no customer.")
    return claims
