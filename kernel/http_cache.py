"""HTTP caching glue: generation-keyed response caching on Django's cache, and conditional GET.

A *generation* is a number kept in the cache and made part of every key of
what it guards; bumping it orphans all of those entries at once (they then
expire by their TTL), so invalidation is O(1) whatever was cached. Cache
failures (an unreachable Redis) never fail a request: a read counts as a
miss and a write is skipped.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.cache import cache as default_cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)


def generations_get(names: Sequence[str]) -> tuple[int, ...] | None:
    """Return the current value of each generation (starting missing ones); ``None`` when the cache failed."""
    try:
        found = default_cache.get_many(names)
        for name in names:
            if name not in found:
                # A fresh start is a clock reading: never equal to a value an evicted generation had.
                default_cache.add(name, time.time_ns(), timeout=None)
                found[name] = default_cache.get(name)
        return tuple(int(found[name]) for name in names)
    except Exception:
        logger.warning("cache unreachable; serving without the response cache", exc_info=True)
        return None


def generation_bump(name: str) -> None:
    """Move generation ``name`` on, orphaning every entry keyed by its old value."""
    try:
        try:
            default_cache.incr(name)
        except ValueError:  # missing (evicted or never used): a new clock reading is past any old value
            default_cache.set(name, time.time_ns(), timeout=None)
    except Exception:
        logger.warning("cache unreachable; generation %s not bumped (entries expire by their TTL)", name, exc_info=True)


def request_fingerprint(request: HttpRequest, *extra: str) -> str:
    """Return a digest of everything a GET's response may depend on: scheme, host, path and every query value.

    Query parameters are sorted by name (their values keep their order), so
    ``?a=1&b=2`` and ``?b=2&a=1`` share an entry while any other difference,
    however small, gets its own.
    """
    parts = [request.scheme or "", request.get_host(), request.path, *extra]
    parts.extend(f"{name}={value}" for name, values in sorted(request.GET.lists()) for value in values)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def cached_get(key: str) -> Any:
    """Return the cached value of ``key``, or ``None`` (also when the cache failed)."""
    try:
        return default_cache.get(key)
    except Exception:
        logger.warning("cache unreachable; reading %s from the database", key, exc_info=True)
        return None


def cached_set(key: str, value: Any, *, timeout: float) -> None:
    """Store ``value`` under ``key`` for ``timeout`` seconds; a failing cache is only logged."""
    if timeout <= 0:
        return
    try:
        default_cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("cache unreachable; %s not stored", key, exc_info=True)


def conditional_get(
    request: HttpRequest, response: HttpResponseBase, *, max_age: int, public: bool = True
) -> HttpResponseBase:
    """Add ``ETag`` (a hash of the body) and ``Cache-Control`` to a 200 GET; answer 304 when ``If-None-Match`` matches.

    ``public`` false sends ``Cache-Control: no-store`` (nothing may keep the
    response, e.g. a degraded answer) but still an ``ETag``.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return response
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    if not response.has_header("ETag"):
        set_response_etag(response)
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, no_store=True)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def bytes_response(body: bytes, *, content_type: str, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """Return a 200 carrying already-rendered ``body``."""
    return HttpResponse(body, content_type=content_type, headers=headers)
