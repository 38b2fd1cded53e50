import os
import time

from contracts.events import Event
from tests.eventprobe.models import ProbeEffect, ProbeSwitch


def record(event: Event) -> None:
    ProbeEffect.objects.create(subscriber="eventprobe.record", event_id=event.event_id)


def flaky(event: Event) -> None:
    switch = ProbeSwitch.objects.first()
    mode = switch.mode if switch else "ok"
    if mode == "fail":
        raise RuntimeError("probe told to fail")
    ProbeEffect.objects.create(subscriber="eventprobe.flaky", event_id=event.event_id)
    if mode == "slow":
        marker = os.environ.get("PROBE_STARTED_MARKER")
        if marker:
            open(marker, "w").close()
        time.sleep(30)
