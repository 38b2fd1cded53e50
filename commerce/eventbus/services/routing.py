"""Where a delivery goes (a subscriber here, or a module running elsewhere) and when it is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from commerce.eventbus.models import Delivery
from contracts.events import subscriptions_for

ACTIVE_STATES = (Delivery.State.PENDING, Delivery.State.RETRYING)
# A delivery to a module that runs in another process is addressed to "@<module>": that process
# applies the event to each of its own subscribers, each through its own inbox.
REMOTE_PREFIX = "@"


def broker_configured() -> bool:
    """Return whether deliveries run on Celery workers (otherwise in this process)."""
    return bool(settings.CELERY_BROKER_URL)


def lease_end(now: datetime) -> datetime:
    """When a started delivery that never finished is due for the sweeper again."""
    return now + timedelta(seconds=settings.EVENTS_DISPATCH_LEASE_SECONDS)


def grace_end(now: datetime) -> datetime:
    """When a new delivery that nobody started is due for the sweeper (its dispatch was lost)."""
    return now + timedelta(seconds=settings.EVENTS_DISPATCH_GRACE_SECONDS)


def backoff_seconds(attempts: int) -> int:
    """Return the wait before the next attempt after ``attempts`` failures: doubling, capped."""
    return min(settings.EVENTS_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.EVENTS_BACKOFF_MAX_SECONDS)


def subscriber_names(*, event_name: str) -> list[str]:
    """Return who gets a delivery of ``event_name``: local subscribers, then each module running elsewhere."""
    local = [subscription.name for subscription in subscriptions_for(event_name)]
    return local + [f"{REMOTE_PREFIX}{module}" for module in sorted(settings.MODULE_SERVICE_URLS)]
