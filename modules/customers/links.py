"""The links emailed to a customer: confirm an address, reset a password.

A link is a signed, timestamped value naming the customer, what it is for,
and a fingerprint of the account's state that the link's use changes
(the confirmation, the password hash, the email). Once used, the fingerprint
no longer matches: a link works once, and only until it expires.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from django.core import signing

from contracts.errors import InvalidInput
from modules.customers.models import Customer

LinkKind = Literal["confirm", "reset", "email_change"]


class LinkInvalid(InvalidInput):
    """The link is expired, already used, or not one we sent: ask for a new one."""

    code = "link_invalid"


def _fingerprint(customer: Customer) -> str:
    state = f"{customer.pk}|{customer.email}|{customer.email_confirmed_at}|{customer.password}|{customer.is_active}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def link_token_make(*, customer: Customer, kind: LinkKind, email: str = "") -> str:
    """Return the token of a one-use link of ``kind`` for ``customer`` (``email``: the new address to confirm)."""
    return signing.dumps({"c": customer.pk, "f": _fingerprint(customer), "e": email}, salt=f"customers.{kind}", compress=True)


def link_token_read(*, token: str, kind: LinkKind, max_age_seconds: int) -> tuple[Customer, str]:
    """Return the customer a valid link names, and the email it carries; raises ``LinkInvalid``."""
    try:
        data = signing.loads(token, salt=f"customers.{kind}", max_age=max_age_seconds)
    except signing.SignatureExpired:
        raise LinkInvalid("The link has expired: ask for a new one.") from None
    except signing.BadSignature:
        raise LinkInvalid() from None
    customer = Customer.objects.filter(pk=data.get("c"), erased_at__isnull=True).first()
    if customer is None or data.get("f") != _fingerprint(customer):
        raise LinkInvalid("The link was already used or is no longer valid: ask for a new one.")
    return customer, str(data.get("e") or "")
