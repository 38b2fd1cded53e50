"""Who a customer is, for per-customer voucher limits: one key for the many spellings of one mailbox."""

from __future__ import annotations

# Providers that deliver "e.ve@" and "eve@" to the same mailbox (dots in the local part are ignored).
_DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def customer_email_key(email: str) -> str:
    """Return the key a per-customer limit counts by: case folded, ``+tag`` dropped, dots dropped where ignored.

    ``Eve+2@Example.com`` and ``eve@example.com`` are one customer; so are
    ``e.v.e@gmail.com`` and ``eve@googlemail.com``. What it cannot hold: a
    customer with two real mailboxes (or a catch-all domain) is two customers.
    """
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local, domain = local.replace(".", ""), _DOTS_IGNORED[domain]
    return f"{local}@{domain}"
