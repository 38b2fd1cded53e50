"""Abuse limits on DRF's throttling, with rates read from the settings at each request.

DRF's own throttles read their rates once, when the class is defined; these
read ``THROTTLE_RATES`` (a scope → "N/period" mapping) every time, so the
operator's settings (and a test's) always apply. ``THROTTLES_ENABLED`` off
turns them all off (benchmarks). Counts live in Django's ``default`` cache:
per process in local memory, shared when the cache is Redis (``CACHE_URL``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class SettingsRateThrottle(SimpleRateThrottle):
    """A scoped throttle whose rate is ``settings.THROTTLE_RATES[scope]``; keyed by the client's address."""

    scope = ""

    def __init__(self) -> None:  # the rate is read per request, in allow_request
        pass

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Any, view: Any) -> bool:
        if not settings.THROTTLES_ENABLED:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttle_for(scope: str, *, key: str = "address") -> type[SettingsRateThrottle]:
    """Return a throttle class for ``scope``, counted per client address or per a URL parameter (``key``)."""

    class Throttle(SettingsRateThrottle):
        def get_cache_key(self, request: Any, view: Any) -> str | None:
            ident = self.get_ident(request) if key == "address" else view.kwargs.get(key)
            return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}

    Throttle.scope = scope
    Throttle.__name__ = Throttle.__qualname__ = f"{scope.title().replace('_', '')}Throttle"
    return Throttle
