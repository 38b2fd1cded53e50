"""Events: past-tense facts a module publishes, and the entry points to publish and subscribe.

An event is a frozen dataclass deriving from ``Event``. Its class attributes
``name``, ``version`` and ``publisher`` identify it on the wire; its fields
are its payload. The bus that stores and delivers events is installed by the
composition root (``commerce``); modules only ever call ``publish`` and
``subscribe`` from here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Protocol

_EVENT_TYPES: dict[str, type[Event]] = {}


def _new_event_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event; subclasses set ``name``, ``publisher`` and ``version``."""

    name: ClassVar[str] = ""
    publisher: ClassVar[str] = ""
    version: ClassVar[int] = 1

    event_id: str = field(default_factory=_new_event_id)
    occurred_at: datetime = field(default_factory=_now)

    def __init_subclass__(cls) -> None:
        # No zero-argument super() here: dataclass(slots=True) replaces the class it belongs to.
        if cls.name:
            # dataclass(slots=True) recreates the class; the last one registered is the real one.
            _EVENT_TYPES[cls.name] = cls


_FORMER_NAMES: dict[str, str] = {}


def event_former_name(*, former: str, current: type[Event]) -> None:
    """Let events stored under ``former`` (an event's name before a rename) still be read, as ``current``.

    An outbox may hold undelivered rows written before the rename; they are
    decoded and delivered as the renamed event.
    """
    _FORMER_NAMES[former] = current.name


def event_type_get(name: str) -> type[Event]:
    """Return the event class published under ``name`` (or a name it had before); KeyError when unknown."""
    return _EVENT_TYPES[_FORMER_NAMES.get(name, name)]


def event_types_all() -> dict[str, type[Event]]:
    """Return every known event class by name."""
    return dict(_EVENT_TYPES)


Handler = Callable[[Event], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    """One subscriber of one event type.

    ``name`` is stable and unique (``"<module>.<what it does>"``): the inbox
    that makes the subscriber idempotent is keyed by it.
    """

    name: str
    event_type: type[Event]
    handler: Handler
    # False for a handler that calls other modules or outside services: no transaction of its
    # module may stay open (and hold locks) across those calls. It must then be idempotent
    # by itself, since it runs again if its process dies between its work and its inbox row.
    in_transaction: bool = True

    @property
    def module(self) -> str:
        return self.name.split(".", 1)[0]


_SUBSCRIPTIONS: dict[str, Subscription] = {}


def subscribe(event_type: type[Event], *, name: str, handler: Handler, in_transaction: bool = True) -> None:
    """Register ``handler`` for ``event_type`` under a unique subscriber ``name``.

    Called from a module's ``AppConfig.ready``. Registering the same name
    with the same handler again is a no-op, so ``ready`` may run twice.
    By default the handler runs in one transaction with its inbox row, so its
    effect happens exactly once; see ``Subscription.in_transaction``.
    """
    existing = _SUBSCRIPTIONS.get(name)
    if existing is not None and (existing.event_type is not event_type or existing.handler is not handler):
        raise ValueError(f"subscriber name {name!r} is already taken")
    _SUBSCRIPTIONS[name] = Subscription(name=name, event_type=event_type, handler=handler, in_transaction=in_transaction)


def unsubscribe(*, name: str) -> None:
    """Remove a subscriber; used by tests that register probes."""
    _SUBSCRIPTIONS.pop(name, None)


def subscriptions_for(event_name: str) -> list[Subscription]:
    """Return the subscribers of the event published under ``event_name``."""
    return [s for s in _SUBSCRIPTIONS.values() if s.event_type.name == event_name]


def subscription_get(name: str) -> Subscription:
    """Return the subscriber registered under ``name``; KeyError when unknown."""
    return _SUBSCRIPTIONS[name]


class EventBus(Protocol):
    def publish(self, event: Event) -> None:
        """Store ``event`` with the caller's transaction and deliver it after commit."""
        ...

    def publish_many(self, events: Sequence[Event]) -> None:
        """Store ``events`` (one publisher's) with the caller's transaction, in a few writes; deliver after commit."""
        ...

    def replay(self, *, subscriber_prefix: str, forget_applied: bool, progress: Callable[[str], None] | None) -> int:
        """Apply the retained history to the subscribers named ``subscriber_prefix…``; return how many ran now."""
        ...


_bus: EventBus | None = None


def bus_install(bus: EventBus) -> None:
    """Install the bus implementation; done once by the composition root."""
    global _bus
    _bus = bus


def publish(event: Event) -> None:
    """Publish ``event`` as part of the caller's current database transaction."""
    if _bus is None:
        raise RuntimeError("no event bus installed: is the 'commerce' app in INSTALLED_APPS?")
    _bus.publish(event)


def publish_many(events: Sequence[Event]) -> None:
    """Publish ``events`` as part of the caller's transaction: what ``publish`` does for each, in bulk writes.

    For imports: 48,000 price changes are a few hundred statements, not 96,000.
    Subscribers get exactly the events ``publish`` would have given them.
    """
    if _bus is None:
        raise RuntimeError("no event bus installed: is the 'commerce' app in INSTALLED_APPS?")
    if events:
        _bus.publish_many(list(events))


def history_replay(
    *, subscriber_prefix: str, forget_applied: bool = False, progress: Callable[[str], None] | None = None
) -> int:
    """Apply every event still retained to this process's subscribers named ``subscriber_prefix…``; return how many ran.

    How a module that joins late learns the past: the bus reads the stored
    events and applies each through the subscriber's inbox (at most once), in
    batches, reporting through ``progress``. ``forget_applied`` forgets what
    the inbox says was applied (after the module reset its own state).
    """
    if _bus is None:
        raise RuntimeError("no event bus installed: is the 'commerce' app in INSTALLED_APPS?")
    return _bus.replay(subscriber_prefix=subscriber_prefix, forget_applied=forget_applied, progress=progress)
