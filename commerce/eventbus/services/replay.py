"""Replaying the retained history to subscribers on purpose: how a module that joins late learns the past.

The outbox of each publisher's database keeps every event for
``EVENTS_RETENTION_DAYS`` (``housekeeping``); that is the history. Replaying
decodes the stored events a set of subscribers listens to and applies each
through ``subscription_apply``, so the inbox keeps it at most once per
subscriber: a second replay, or one over a subscriber that was there all
along, applies nothing again. Within one publisher events come in the order
they were stored; across publishers there is no order, so a subscriber fed by
several publishers must not depend on one (the recommendations module keeps
the newest word by ``occurred_at``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from commerce.eventbus.models import InboxEntry, OutboxEvent
from commerce.eventbus.services.delivery import event_forward
from commerce.eventbus.services.inbox import subscription_apply
from commerce.eventbus.services.routing import REMOTE_PREFIX
from commerce.routers import module_database
from contracts.codec import from_primitive
from contracts.events import Subscription, event_type_get, event_types_all, subscriptions_for

REPLAY_BATCH = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayReport:
    events: int  # stored events read
    applied: int  # subscriber applications that ran now (the others were in the inbox already)


def subscribers_of(*, prefix: str) -> list[Subscription]:
    """Return the subscribers of this process whose names start with ``prefix`` (a module: ``"recommendations."``)."""
    found = {s.name: s for name in event_types_all() for s in subscriptions_for(name) if s.name.startswith(prefix)}
    return [found[name] for name in sorted(found)]


def events_replay(
    *,
    subscriber_prefix: str,
    forget_applied: bool = False,
    batch_size: int = REPLAY_BATCH,
    progress: Callable[[str], None] | None = None,
) -> ReplayReport:
    """Apply every retained event to the subscribers named ``subscriber_prefix…``, in batches; return the counts.

    ``"@<module>"`` sends the history to a module running in another process
    instead (see ``_remote_replay``). ``forget_applied`` first deletes those
    subscribers' inbox rows, so that a
    subscriber whose state was reset learns everything again. Each batch is
    one read of the publisher's outbox; each application is its own
    transaction (the subscriber's), so a replay stopped half-way loses
    nothing and resumes where the inbox says.
    """
    if subscriber_prefix.startswith(REMOTE_PREFIX):
        if forget_applied:
            raise ValueError("a module in another process forgets its own inbox: run its rebuild with --reset there first")
        return _remote_replay(module=subscriber_prefix.removeprefix(REMOTE_PREFIX), batch_size=batch_size, progress=progress)
    subscriptions = subscribers_of(prefix=subscriber_prefix)
    if not subscriptions:
        raise ValueError(f"no subscriber of this process is named {subscriber_prefix!r}…")
    if forget_applied:
        for alias in sorted({module_database(s.module) for s in subscriptions}):
            with transaction.atomic(using=alias):
                InboxEntry.objects.using(alias).filter(subscriber__in=[s.name for s in subscriptions]).delete()
    by_event: dict[str, list[Subscription]] = {}
    for subscription in subscriptions:
        by_event.setdefault(subscription.event_type.name, []).append(subscription)
    by_alias: dict[str, list[str]] = {}
    for name, subs in by_event.items():
        by_alias.setdefault(module_database(subs[0].event_type.publisher), []).append(name)
    read = applied = 0
    for alias, names in sorted(by_alias.items()):
        history = OutboxEvent.objects.using(alias).filter(name__in=names)
        total, last, done = history.count(), 0, 0
        while True:
            batch = list(history.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "payload")[:batch_size])
            if not batch:
                break
            for pk, name, payload in batch:
                event = from_primitive(event_type_get(name), payload)
                for subscription in by_event[event.name]:
                    applied += subscription_apply(subscription=subscription, event=event)
                last = pk
            read, done = read + len(batch), done + len(batch)
            if progress is not None:
                progress(f"{alias}: {done} of {total} events read, {applied} applied so far")
    return ReplayReport(events=read, applied=applied)


def _remote_replay(*, module: str, batch_size: int, progress: Callable[[str], None] | None) -> ReplayReport:
    """Send every retained event of the other modules to the process running ``module`` (``@module``), in order.

    This process does not know that process's subscribers, so every event goes
    (one ``/internal/events`` call each, as a delivery would); there each is
    applied through its subscribers' inboxes, so what was applied before
    counts once. A refusal stops the replay (raise); run it again to resume.
    """
    if module not in settings.MODULE_SERVICE_URLS:
        raise ValueError(f"{module} does not run in another process here ({module.upper()}_SERVICE_URL is not set)")
    read = 0
    for alias in sorted({alias for name, alias in settings.MODULE_DATABASES.items() if name != module}):
        history = OutboxEvent.objects.using(alias).exclude(publisher=module)
        total, last, done = history.count(), 0, 0
        while batch := list(history.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "payload")[:batch_size]):
            for pk, name, payload in batch:
                event_forward(module=module, name=name, payload=payload)
                last = pk
            read, done = read + len(batch), done + len(batch)
            if progress is not None:
                progress(f"{alias}: {done} of {total} events sent to @{module}")
    return ReplayReport(events=read, applied=read)
