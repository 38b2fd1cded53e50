"""The periodic tasks of this process: the event bus's, and those each installed module declares.

A module lists its own in its AppConfig (``periodic_tasks``: name → task and
interval in seconds), so an inventory-only process schedules inventory's
tasks and the bus's, never a task no worker of it knows. Celery beat and the
embedded ``run_schedule`` read the same schedule.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings


def schedule_build() -> dict[str, dict[str, Any]]:
    """Return the beat schedule of this process (Celery's ``beat_schedule`` format)."""
    schedule: dict[str, dict[str, Any]] = {
        "events-sweep": {"task": "commerce.eventbus.tasks.events_sweep", "schedule": float(settings.EVENTS_SWEEP_INTERVAL_SECONDS)},
        "events-purge": {"task": "commerce.eventbus.tasks.events_purge", "schedule": 60.0 * 60},
    }
    for module in settings.MODULES:
        for name, (task, seconds) in getattr(apps.get_app_config(module), "periodic_tasks", {}).items():
            schedule[name] = {"task": task, "schedule": float(seconds)}
    return schedule
