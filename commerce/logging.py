"""Keep secrets out of the logs this project writes: cart tokens in paths, order access tokens in queries."""

from __future__ import annotations

import logging
import re

# A cart's token is its only key: keep enough of it to tell carts apart in a log, never enough to use it.
_CART_PATH = re.compile(r"(/carts/[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+")
_QUERY_TOKEN = re.compile(r"((?:access_token|token)=)[^&\s'\"]+")


def secrets_scrub(text: str) -> str:
    """Return ``text`` with cart tokens shortened and access tokens replaced."""
    return _QUERY_TOKEN.sub(r"\1[scrubbed]", _CART_PATH.sub(r"\1…", text))


class SecretsFilter(logging.Filter):
    """Rewrite each record's message with its secrets scrubbed (the arguments are merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        scrubbed = secrets_scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True
