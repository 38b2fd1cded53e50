"""Show the event catalogue and the state of delivery; sweep due deliveries."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from commerce.eventbus.models import Delivery, OutboxEvent
from commerce.eventbus.services.dispatch import events_sweep
from commerce.eventbus.services.replay import events_replay
from commerce.eventbus.services.routing import REMOTE_PREFIX, subscriber_names
from contracts.events import event_types_all


class Command(BaseCommand):
    help = "List every event type with its publisher, subscribers and delivery counts by state; `events sweep` dispatches due deliveries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "sweep", "replay"], default="list")
        parser.add_argument("--subscribers", default="", help="replay: the subscribers named so (a module here: 'recommendations.'; one elsewhere: '@recommendations')")
        parser.add_argument("--forget-applied", action="store_true", help="replay: forget their inbox rows first")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "sweep":
            self.stdout.write(f"dispatched {events_sweep()} due deliveries")
            return
        if action == "replay":  # the retained history, applied again through the inbox (commerce/eventbus/services/replay.py)
            report = events_replay(
                subscriber_prefix=str(options["subscribers"]), forget_applied=bool(options["forget_applied"]), progress=self.stdout.write
            )
            self.stdout.write(f"replayed {report.events} events, {report.applied} applied now")
            return
        aliases = sorted(set(settings.MODULE_DATABASES.values()))
        published: dict[str, int] = {}
        states: dict[tuple[str, str], int] = {}
        for alias in aliases:
            for row in OutboxEvent.objects.using(alias).values("name").annotate(n=Count("id")):
                published[row["name"]] = published.get(row["name"], 0) + row["n"]
            for row in Delivery.objects.using(alias).values("subscriber", "state").annotate(n=Count("id")):
                key = (row["subscriber"], row["state"])
                states[key] = states.get(key, 0) + row["n"]
        for name, event_type in sorted(event_types_all().items()):
            self.stdout.write(f"{name} v{event_type.version}  publisher={event_type.publisher}  published={published.get(name, 0)}")
            subscribers = subscriber_names(event_name=name)
            if not subscribers:
                self.stdout.write("    (no subscribers)")
            for subscriber in subscribers:
                counts = "  ".join(f"{state}={states.get((subscriber, state), 0)}" for state in Delivery.State.values)
                where = "  (every subscriber of that process)" if subscriber.startswith(REMOTE_PREFIX) else ""
                self.stdout.write(f"    -> {subscriber}  {counts}{where}")
        totals = {state: sum(n for (_, s), n in states.items() if s == state) for state in Delivery.State.values}
        self.stdout.write("deliveries: " + "  ".join(f"{state}={n}" for state, n in totals.items()))
