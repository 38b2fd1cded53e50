"""Sign-in sessions and their tokens: sign in, refresh with rotation, sign out, check an access token.

A sign-in opens a session (one device); its refresh token is used once:
refreshing revokes it and hands out a new pair of the same session.
Presenting a revoked refresh token again means it was stolen or replayed:
the whole session is signed out. Raising the customer's ``token_generation``
(password change, sign out everywhere, deactivation) revokes every token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.utils import datetime_from_epoch

from contracts.customers import CustomerSignedIn, CustomerTokenInvalid
from contracts.errors import ContractError
from contracts.events import publish
from kernel.transactions import atomic_for
from modules.customers.models import Customer, RefreshToken, SignInSession
from modules.customers.selectors import customer_by_email, session_of_token
from modules.customers.tokens import CustomerAccessToken, CustomerRefreshToken, token_claims, token_pair_build

# Checked against when the email has no account, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = make_password(secrets.token_urlsafe(16))


class CredentialsInvalid(ContractError):
    """The email or the password is wrong."""

    code = "credentials_invalid"


class EmailUnconfirmed(ContractError):
    """Confirm your email first: open the link we sent (or ask for a new one)."""

    code = "email_unconfirmed"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime


def _pair_issue(*, customer: Customer, session: SignInSession) -> TokenPair:
    """Issue a new access and refresh token of ``session`` (inside the caller's transaction)."""
    access, refresh = token_pair_build(customer_id=customer.pk, generation=customer.token_generation, session_id=session.sid)
    refresh_expires_at = datetime_from_epoch(refresh["exp"])
    RefreshToken.objects.create(session=session, jti=refresh["jti"], expires_at=refresh_expires_at)
    return TokenPair(
        access=str(access),
        refresh=str(refresh),
        access_expires_at=datetime_from_epoch(access["exp"]),
        refresh_expires_at=refresh_expires_at,
    )


def session_open(*, customer: Customer) -> TokenPair:
    """Open a sign-in session for ``customer``; return its first pair of tokens."""
    with atomic_for(Customer):
        session = SignInSession.objects.create(customer=customer, sid=secrets.token_hex(16))
        return _pair_issue(customer=customer, session=session)


def customer_sign_in(*, email: str, password: str) -> TokenPair:
    """Check the credentials and open a session; one answer (``CredentialsInvalid``) for any wrong email or password."""
    customer = customer_by_email(email=email)
    if customer is None:
        check_password(password, _DUMMY_HASH)
        raise CredentialsInvalid()
    if not check_password(password, customer.password) or not customer.is_active:
        raise CredentialsInvalid()
    if customer.email_confirmed_at is None:
        raise EmailUnconfirmed()  # only said to whoever knows the password
    with atomic_for(Customer):
        Customer.objects.filter(pk=customer.pk).update(last_login=timezone.now())
        pair = session_open(customer=customer)
        publish(CustomerSignedIn(customer_id=customer.pk))
    return pair


def _live_session(*, claims: dict) -> SignInSession:
    """Return the session of valid token claims if nothing revoked it; raises ``CustomerTokenInvalid``."""
    session = session_of_token(sid=claims["sid"], customer_id=claims["customer_id"])
    if session is None or session.signed_out_at is not None:
        raise CustomerTokenInvalid("The token was revoked: sign in again.")
    customer = session.customer
    if not customer.is_active or customer.erased_at is not None or customer.token_generation != claims["gen"]:
        raise CustomerTokenInvalid("The token was revoked: sign in again.")
    return session


def access_token_check(*, token: str) -> Customer:
    """Return the customer of a valid, unrevoked access token (one query); raises ``CustomerTokenInvalid``."""
    return _live_session(claims=token_claims(token=token, kind=CustomerAccessToken)).customer


def token_refresh(*, refresh: str) -> TokenPair:
    """Trade a refresh token for a new pair (the old one is revoked); a reused one signs its session out."""
    claims = token_claims(token=refresh, kind=CustomerRefreshToken)
    now = timezone.now()
    with atomic_for(Customer):
        session = _live_session(claims=claims)
        used = RefreshToken.objects.filter(jti=claims["jti"], session=session, revoked_at__isnull=True).update(revoked_at=now)
        if not used:
            if RefreshToken.objects.filter(jti=claims["jti"], session=session).exists():
                SignInSession.objects.filter(pk=session.pk).update(signed_out_at=now)
                reused = True
            else:
                reused = False
        else:
            return _pair_issue(customer=session.customer, session=session)
    # Outside the block: the session's sign-out above is committed, not rolled back with the error.
    raise CustomerTokenInvalid("The refresh token was already used: the session is signed out." if reused else "Unknown token.")


def customer_sign_out(*, customer: Customer, session_id: str, everywhere: bool = False) -> None:
    """End the session ``session_id`` (its refresh and access tokens), or every session of the customer."""
    with atomic_for(Customer):
        if everywhere:
            tokens_revoke_all(customer_id=customer.pk)
        else:
            SignInSession.objects.filter(sid=session_id, customer=customer, signed_out_at__isnull=True).update(
                signed_out_at=timezone.now()
            )


def tokens_revoke_all(*, customer_id: int) -> None:
    """Revoke every token of the customer: raise its generation (inside the caller's transaction)."""
    Customer.objects.filter(pk=customer_id).update(token_generation=F("token_generation") + 1)
    SignInSession.objects.filter(customer_id=customer_id, signed_out_at__isnull=True).update(signed_out_at=timezone.now())


def refresh_tokens_purge() -> int:
    """Delete refresh tokens past their expiry, and sessions left without any; return how many tokens went."""
    with atomic_for(Customer):
        deleted, _ = RefreshToken.objects.filter(expires_at__lt=timezone.now()).delete()
        SignInSession.objects.filter(refresh_tokens__isnull=True).delete()
    return deleted
