"""A probe subscriber app, installed only in test settings, to observe event delivery."""

from django.apps import AppConfig


class EventProbeConfig(AppConfig):
    name = "tests.eventprobe"
    label = "eventprobe"

    def ready(self) -> None:
        from contracts.checkout import OrderPlaced
        from contracts.events import subscribe
        from tests.eventprobe import handlers

        subscribe(OrderPlaced, name="eventprobe.record", handler=handlers.record)
        subscribe(OrderPlaced, name="eventprobe.flaky", handler=handlers.flaky)
