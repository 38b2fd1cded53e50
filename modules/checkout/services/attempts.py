"""The Idempotency-Key of a completion: who holds it (a lease), and its final answer.

An attempt is held by one request at a time (``owner``) until ``locked_until``.
A request that stalls past its lease loses the key to the next retry and
stops writing: every write of the attempt is conditional on ``owner``.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone

from kernel.transactions import atomic_for
from modules.checkout.errors import IdempotencyKeyReused, RequestInProgress
from modules.checkout.models import CheckoutAttempt, Order

# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out on the phone.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def order_number_new() -> str:
    """Return a fresh order number: "CO-" and 10 random characters (50 bits).

    Uniqueness is the database's: the attempt's ``order_number`` is unique, so
    the one-in-10^15 collision is an insert that fails and is tried again.
    """
    return "CO-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(10))


class AttemptClaim(enum.Enum):
    """What taking an attempt found: a new key, a dead request to resume, or a final answer to replay."""

    NEW = "new"
    RESUMED = "resumed"
    REPLAY = "replay"


class LeaseLost(Exception):
    """Another request took this attempt over (ours stalled past its lease); it carries on, we stop."""


def attempt_lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.CHECKOUT_ATTEMPT_LEASE_SECONDS)


def attempt_owned(attempt: CheckoutAttempt) -> QuerySet[CheckoutAttempt]:
    """The attempt row, only while ``attempt`` (this request) still owns it."""
    return CheckoutAttempt.objects.filter(pk=attempt.pk, owner=attempt.owner)


def attempt_find(*, cart_token: str, key: str) -> CheckoutAttempt | None:
    """Return the attempt of this key, if the key was seen before (a plain read, no lock)."""
    return CheckoutAttempt.objects.filter(cart_token=cart_token, key=key).first()


@dataclass(frozen=True, slots=True, kw_only=True)
class Claimed:
    attempt: CheckoutAttempt
    claim: AttemptClaim


def attempt_claim(*, cart_token: str, key: str, fingerprint: str) -> Claimed:
    """Take the attempt of a key seen before: resume it (its request died) or replay its answer.

    Raises ``IdempotencyKeyReused`` for another body and ``RequestInProgress``
    while the first request still holds the attempt's lease. A key never seen
    gets a new attempt (as ``attempt_start`` would give it).
    """
    now = timezone.now()
    with atomic_for(CheckoutAttempt):
        attempt = CheckoutAttempt.objects.select_for_update().filter(cart_token=cart_token, key=key).first()
        if attempt is None:
            return Claimed(attempt=_attempt_insert(cart_token=cart_token, key=key, fingerprint=fingerprint), claim=AttemptClaim.NEW)
        if attempt.fingerprint != fingerprint:
            raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request body.")
        if attempt.state == CheckoutAttempt.State.DONE:
            return Claimed(attempt=attempt, claim=AttemptClaim.REPLAY)
        if attempt.locked_until > now:
            raise RequestInProgress("A request with this Idempotency-Key is still being processed; retry shortly.")
        attempt.owner = secrets.token_hex(8)
        attempt.locked_until = attempt_lease_end(now)
        attempt.save(update_fields=["owner", "locked_until"])
        return Claimed(attempt=attempt, claim=AttemptClaim.RESUMED)


def _attempt_insert(*, cart_token: str, key: str, fingerprint: str, **fields: Any) -> CheckoutAttempt:
    """Insert the attempt of a new key under a fresh order number; ``IntegrityError`` if the key is taken."""
    for _ in range(3):
        number = order_number_new()
        try:
            with atomic_for(CheckoutAttempt):  # a savepoint: a failed insert leaves the caller's transaction usable
                return CheckoutAttempt.objects.create(
                    cart_token=cart_token,
                    key=key,
                    fingerprint=fingerprint,
                    order_number=number,
                    owner=secrets.token_hex(8),
                    locked_until=attempt_lease_end(timezone.now()),
                    **fields,
                )
        except IntegrityError:
            if CheckoutAttempt.objects.filter(cart_token=cart_token, key=key).exists():
                raise  # a concurrent first request with this key won the insert
    raise RuntimeError("no free order number after 3 tries")


def attempt_start(*, cart_token: str, key: str, fingerprint: str, **fields: Any) -> CheckoutAttempt:
    """Create the attempt of a key never seen, in the caller's transaction; ``IntegrityError`` if another request won."""
    return _attempt_insert(cart_token=cart_token, key=key, fingerprint=fingerprint, **fields)


def attempt_renew(attempt: CheckoutAttempt, *, force: bool = False) -> None:
    """Keep the lease through the next slow step; ``LeaseLost`` if another request took the attempt over.

    Free while more than half of the lease is left: nobody can take over an
    attempt before its lease ran out, so there is nothing to check or extend.
    ``force`` checks ownership in the database all the same (before an undo).
    """
    now = timezone.now()
    if not force and attempt.locked_until - now > timedelta(seconds=settings.CHECKOUT_ATTEMPT_LEASE_SECONDS / 2):
        return
    locked_until = attempt_lease_end(now)
    if not attempt_owned(attempt).update(locked_until=locked_until):
        raise LeaseLost()
    attempt.locked_until = locked_until


def attempt_finish(*, attempt: CheckoutAttempt, status: int, body: dict[str, Any]) -> None:
    """Store the final answer; ``LeaseLost`` if another request took the attempt over meanwhile."""
    if not attempt_owned(attempt).update(state=CheckoutAttempt.State.DONE, response_status=status, response_body=body):
        raise LeaseLost()


def attempt_release(attempt: CheckoutAttempt) -> None:
    """After a failure that may pass: free the key, unless its order exists (then the retry must find it)."""
    if order_of_attempt(attempt) is not None:
        attempt_owned(attempt).update(locked_until=timezone.now())
    else:
        attempt_owned(attempt).delete()


def attempt_pause(attempt: CheckoutAttempt) -> None:
    """End our lease now, keeping the attempt, so the retry (or the abandon task) may resume it at once."""
    attempt_owned(attempt).update(locked_until=timezone.now())


def order_of_attempt(attempt: CheckoutAttempt) -> Order | None:
    """Return the order this attempt placed, if it did."""
    return Order.objects.filter(number=attempt.order_number, cart_token=attempt.cart_token).first()
