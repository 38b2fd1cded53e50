"""The ``contracts.events.EventBus`` implementation backed by the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commerce.eventbus.services.outbox import event_store, events_store
from commerce.eventbus.services.replay import events_replay
from contracts.events import Event


class OutboxBus:
    """Publish by writing to the outbox of the publisher's database, in its transaction."""

    def publish(self, event: Event) -> None:
        event_store(event=event)

    def publish_many(self, events: Sequence[Event]) -> None:
        events_store(events=events)

    def replay(self, *, subscriber_prefix: str, forget_applied: bool, progress: Callable[[str], None] | None) -> int:
        return events_replay(subscriber_prefix=subscriber_prefix, forget_applied=forget_applied, progress=progress).applied
