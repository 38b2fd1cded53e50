"""The storefront's response cache and its freshness bound.

Listing pages and product details are cached on Django's ``default`` cache
(local memory in the embedded mode, Redis when ``CACHES`` says so), keyed by
scheme, host, path, every query parameter (so never across currencies,
pages, filters or orderings) and a *generation*:

- any change the storefront shows bumps the generation, so the next request
  reads fresh data: catalog changes (publish, unpublish, discontinue, product,
  variant, media and category edits) through ``catalog_changed`` and the
  catalog's own events, price changes (``PriceChanged``, also price lists and
  their validity windows) and stock crossing zero (``OutOfStock`` /
  ``BackInStock``) through the subscribers in ``handlers``;
- everything else (an available count moving without crossing zero, a hold
  expiring) is bounded by time.

Freshness bound: a response is fresh on the server for ``CATALOG_CACHE_SECONDS``
(default 0.5 s); for as long again, while one request renders it anew, the
others are answered with that copy (never across generations, so never
after an event said it changed): it reflects the data of at most twice
``CATALOG_CACHE_SECONDS`` ago, and a client or CDN may keep it
``CATALOG_HTTP_MAX_AGE`` (default 1 s) more: **at most 2 s stale** by
default; the events above reach the server's cache at once (with
a local-memory cache, only in the process that delivered the event: other
worker processes catch up within the TTL; with Redis, all at once).
A degraded answer (pricing or inventory down) is never cached.

Listing counts depend on the catalog alone, so they are cached apart, keyed by
the catalog's generation (which only catalog changes move) for up to
``CATALOG_COUNT_CACHE_SECONDS`` (default 60 s, the bound for catalog writes
that bypass ``catalog_changed``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import transaction
from django.http import HttpRequest

from kernel.http_cache import cached_get, cached_set, generation_bump, generations_get, request_fingerprint

STOREFRONT_GENERATION = "catalog:generation:storefront"
CATALOG_GENERATION = "catalog:generation:catalog"
RESPONSE_SECONDS_DEFAULT = 0.5
HTTP_MAX_AGE_DEFAULT = 1
COUNT_SECONDS_DEFAULT = 60.0


def response_seconds() -> float:
    """Return how long a response may be served from the server's cache (0 turns the cache off)."""
    return float(getattr(settings, "CATALOG_CACHE_SECONDS", RESPONSE_SECONDS_DEFAULT))


def http_max_age() -> int:
    """Return the ``max-age`` sent to clients and CDNs with catalog reads."""
    return int(getattr(settings, "CATALOG_HTTP_MAX_AGE", HTTP_MAX_AGE_DEFAULT))


def storefront_changed() -> None:
    """Orphan every cached response (prices or availability changed); counts stay."""
    generation_bump(STOREFRONT_GENERATION)


def _catalog_bump() -> None:
    generation_bump(CATALOG_GENERATION)
    generation_bump(STOREFRONT_GENERATION)


def catalog_changed(*, using: str | None = None) -> None:
    """Orphan cached responses and counts now and again once the current transaction commits.

    The bump after commit is the one that matters: a request that read the
    generation after the first bump may still have read the old rows and
    cached them. Outside a transaction both happen now.
    """
    _catalog_bump()
    transaction.on_commit(_catalog_bump, using=using)


def response_key(request: HttpRequest) -> str | None:
    """Return the cache key of this GET's response, ``None`` when the cache is off or unreachable."""
    if response_seconds() <= 0:
        return None
    generations = generations_get([STOREFRONT_GENERATION])
    if generations is None:
        return None
    return f"catalog:response:{generations[0]}:{request_fingerprint(request)}"


def response_get(key: str | None) -> bytes | None:
    """Return the cached body under ``key``; ``None`` when this request is to render it.

    A copy past its fresh time is rendered anew by one request only (the one
    that claims it); the others keep answering with the copy until it is
    twice its fresh time old. Without this, every worker rendered every
    expired page at once: a stampede each time a page's time ran out.
    """
    found = cached_get(key) if key is not None else None
    if not isinstance(found, tuple):
        return None
    stored_at, body = found
    if time.time() - stored_at <= response_seconds():
        return body
    if _render_claim(key):
        return None
    return body


def _render_claim(key: str) -> bool:
    """Claim the rendering of ``key`` for this request; False when another one has it."""
    try:
        return bool(default_cache.add(f"{key}:render", 1, timeout=max(1, math.ceil(response_seconds()))))
    except Exception:  # an unreachable cache: render, as without one
        return True


def response_set(key: str | None, body: bytes) -> None:
    """Cache ``body`` under ``key``: fresh for the response TTL, then served while one request renders it again."""
    if key is not None:
        cached_set(key, (time.time(), body), timeout=2 * response_seconds())


def count_seconds() -> float:
    """Return how long a listing count may be reused while the catalog's generation stays (0: always count)."""
    return float(getattr(settings, "CATALOG_COUNT_CACHE_SECONDS", COUNT_SECONDS_DEFAULT))


def listing_count(*, category: str | None, terms: Sequence[str], compute: Callable[[], int]) -> int:
    """Return the number of visible products for a filter, counted once per catalog generation.

    A count must see every matching row, so it grows with the catalog; the
    filter's result only changes when the catalog does, and every catalog
    change moves the generation in the key.
    """
    seconds = count_seconds()
    generations = generations_get([CATALOG_GENERATION]) if seconds > 0 else None
    if generations is None:
        return compute()
    digest = hashlib.sha256(repr((category, tuple(terms))).encode()).hexdigest()
    key = f"catalog:count:{generations[0]}:{digest}"
    found = cached_get(key)
    if isinstance(found, int):
        return found
    count = compute()
    cached_set(key, count, timeout=seconds)
    return count


def price_ranking(
    *, category: str | None, terms: Sequence[str], currency: str, descending: bool, compute: Callable[[], list[int] | None]
) -> list[int] | None:
    """Return the product ids of a filter in price order, ranked once per storefront generation.

    Ranking prices every candidate SKU; paging through the same order then
    costs only the page. Every input (catalog, prices) moves the storefront
    generation, and ``CATALOG_COUNT_CACHE_SECONDS`` bounds the rest. A
    ``None`` from ``compute`` (pricing failed) is not kept.
    """
    seconds = count_seconds()
    generations = generations_get([STOREFRONT_GENERATION]) if seconds > 0 else None
    if generations is None:
        return compute()
    digest = hashlib.sha256(repr((category, tuple(terms), currency, descending)).encode()).hexdigest()
    key = f"catalog:ranking:{generations[0]}:{digest}"
    found = cached_get(key)
    if isinstance(found, list):
        return found
    ranked = compute()
    if ranked is not None:
        cached_set(key, ranked, timeout=seconds)
    return ranked
