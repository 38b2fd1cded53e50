"""Operate the recommendations read model: ``rebuild`` it from the retained event history."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from contracts.events import history_replay
from modules.recommendations.services import model_reset


class Command(BaseCommand):
    help = (
        "`recommendations rebuild` learns every order and catalog event the outboxes still keep "
        "(EVENTS_RETENTION_DAYS), in batches; `--reset` forgets the model first. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--reset", action="store_true", help="forget the model (and what was applied) first")

    def handle(self, *args: object, action: str, reset: bool, **options: object) -> None:
        if reset:
            model_reset()
            self.stdout.write("recommendations: model reset")
        applied = history_replay(subscriber_prefix="recommendations.", forget_applied=reset, progress=self.stdout.write)
        self.stdout.write(f"recommendations: rebuilt, {applied} events applied now")
