"""Fixtures shared by every test: real services (or a clear skip, a failure in CI), an API client, an event probe."""

from __future__ import annotations

import os

import pytest


def services_required() -> bool:
    """In CI and under `make test-services`, a missing service is a failure, never a skip."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_SERVICES") == "1"


def _missing(reason: str) -> None:
    if services_required():
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres(request: pytest.FixtureRequest) -> None:
    """Run only on PostgreSQL (`make test-services`); elsewhere skip with the reason."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("this run requires PostgreSQL but DATABASE_URL is not PostgreSQL")
        pytest.skip("needs PostgreSQL: runs under `make test-services` (DATABASE_URL=postgres://...)")


@pytest.fixture
def redis_url() -> str:
    """URL of a reachable Redis for broker tests; skip (or fail in CI) when unreachable."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # unreachable, refused, wrong auth: all mean "no Redis here"
        _missing(f"Redis not reachable at {url}: {exc}")
    return url


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def event_probe():
    """Return ``probe(*kinds)``: a list that receives the events of those kinds delivered while the test runs.

    A kind is an event class, or a publisher's name for all of its events
    (``probe("inventory")``). Events arrive as subscribers see them: after the
    publisher's commit, through the bus and the inbox of subscriber
    ``probe.<n>``. Every probe is unsubscribed when the test ends.
    """
    from contracts.events import Event, event_types_all, subscribe, unsubscribe

    names: list[str] = []

    def probe(*kinds: type[Event] | str) -> list[Event]:
        seen: list[Event] = []
        types = [
            event_type
            for kind in kinds
            for event_type in (
                [t for t in event_types_all().values() if t.publisher == kind] if isinstance(kind, str) else [kind]
            )
        ]
        if not types:
            raise ValueError(f"no event types for {kinds!r}")
        for event_type in types:
            name = f"probe.{len(names)}_{event_type.name}"
            subscribe(event_type, name=name, handler=seen.append)
            names.append(name)
        return seen

    yield probe
    for name in names:
        unsubscribe(name=name)
