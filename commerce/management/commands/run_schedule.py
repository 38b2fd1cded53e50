"""Run the beat schedule's periodic tasks in this process, for the embedded mode (no broker, no Celery beat)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from commerce.celery import app as celery_app
from commerce.schedule import schedule_build

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run every periodic task of this process's schedule (commerce/schedule.py) at its interval, in this process: "
        "the embedded mode's stand-in for `celery beat`. `make run` starts it beside the server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every task once, then stop")

    def handle(self, *args: object, once: bool, **options: object) -> None:
        if settings.CELERY_BROKER_URL:
            raise CommandError("a broker is configured: run `celery -A commerce beat` instead")
        celery_app.loader.import_default_modules()  # registers the tasks of every installed app
        schedule = schedule_build()
        due = dict.fromkeys(schedule, 0.0)
        while True:
            now = time.monotonic()
            for name, entry in schedule.items():
                if now < due[name]:
                    continue
                due[name] = now + float(entry["schedule"])
                self._run(name, entry["task"])
            if once:
                return
            time.sleep(1)

    def _run(self, name: str, task: str) -> None:
        """Run one periodic task; a failure (a database or broker outage) is logged, never the end of the schedule."""
        close_old_connections()
        try:
            result = celery_app.tasks[task].apply()
            failed, outcome = result.failed(), result.result
        except Exception:
            logger.exception("periodic task %s failed", name)
            failed, outcome = True, None
        if failed:
            # A broken connection must not poison the next run: reconnect from scratch.
            connections.close_all()
            self.stderr.write(f"{name}: failed (see the log)")
        else:
            self.stdout.write(f"{name}: {outcome}")
