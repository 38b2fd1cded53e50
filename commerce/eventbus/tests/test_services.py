"""The event bus in the embedded mode (no broker): outbox, delivery, retries, dead letters, inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from commerce.eventbus.models import Delivery, DeliveryAttempt, InboxEntry, OutboxEvent
from commerce.eventbus.services.delivery import delivery_attempt
from commerce.eventbus.services.dispatch import events_sweep
from commerce.eventbus.services.operations import delivery_replay, delivery_retry
from commerce.eventbus.tests.conftest import order_placed
from contracts.events import publish
from tests.eventprobe.models import ProbeEffect

pytestmark = pytest.mark.django_db(transaction=True)

PROBES = {"eventprobe.record", "eventprobe.flaky"}


def effects(subscriber: str) -> int:
    return ProbeEffect.objects.filter(subscriber=subscriber).count()


def test_committed_event_reaches_every_subscriber_once():
    with transaction.atomic():
        publish(order_placed())
    deliveries = Delivery.objects.filter(subscriber__in=PROBES)
    assert {d.subscriber: d.state for d in deliveries} == {s: "delivered" for s in PROBES}
    assert effects("eventprobe.record") == 1
    assert effects("eventprobe.flaky") == 1


def test_rolled_back_event_never_existed():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(order_placed())
        raise RuntimeError("the publisher's change fails")
    assert OutboxEvent.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert ProbeEffect.objects.count() == 0


def test_same_event_delivered_twice_has_one_effect():
    event = order_placed()
    with transaction.atomic():
        publish(event)
    delivery = Delivery.objects.get(subscriber="eventprobe.record")
    # A redelivery (lost acknowledgement, sweeper racing a worker) finds the inbox row.
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING)
    assert delivery_attempt(delivery_id=delivery.pk, alias="default") == "delivered"
    assert effects("eventprobe.record") == 1
    assert InboxEntry.objects.filter(subscriber="eventprobe.record", event_id=event.event_id).count() == 1


def test_failing_subscriber_is_dead_lettered_others_unaffected_then_admin_retry_delivers(
    probe_mode, settings, admin_client
):
    settings.EVENTS_MAX_ATTEMPTS = 3
    probe_mode("fail")
    with transaction.atomic():
        publish(order_placed())
    flaky = Delivery.objects.get(subscriber="eventprobe.flaky")
    assert flaky.state == "retrying" and flaky.attempts == 1 and "probe told to fail" in flaky.last_error
    assert flaky.next_attempt_at > timezone.now()  # exponential backoff: not due yet
    assert Delivery.objects.get(subscriber="eventprobe.record").state == "delivered"

    for _ in range(5):
        events_sweep(now=timezone.now() + timedelta(days=1))
    flaky.refresh_from_db()
    assert flaky.state == "dead" and flaky.attempts == 3
    assert DeliveryAttempt.objects.filter(delivery=flaky).count() == 3
    assert effects("eventprobe.flaky") == 0
    assert effects("eventprobe.record") == 1

    probe_mode("ok")
    response = admin_client.post(
        "/admin/eventbus/delivery/", {"action": "retry", "_selected_action": [flaky.pk]}, follow=True
    )
    assert response.status_code == 200
    flaky.refresh_from_db()
    assert flaky.state == "delivered"
    assert effects("eventprobe.flaky") == 1
    assert effects("eventprobe.record") == 1


def test_backoff_grows_exponentially(probe_mode, settings):
    settings.EVENTS_MAX_ATTEMPTS = 10
    settings.EVENTS_BACKOFF_BASE_SECONDS = 2
    probe_mode("fail")
    with transaction.atomic():
        publish(order_placed())
    flaky = Delivery.objects.get(subscriber="eventprobe.flaky")
    delays = []
    for _ in range(3):
        before = timezone.now()
        delivery_retry(delivery_id=flaky.pk)
        flaky.refresh_from_db()
        delays.append((flaky.next_attempt_at - before).total_seconds())
    assert delays[0] < delays[1] < delays[2]


def test_sweeper_delivers_what_a_crash_after_commit_left_behind_within_seconds(settings):
    settings.EVENTS_DISPATCH_LEASE_SECONDS = 300
    settings.EVENTS_DISPATCH_GRACE_SECONDS = 10
    # Simulate a process that died between commit and dispatch: the rows exist, nothing was delivered.
    with transaction.atomic():
        publish(order_placed())
        transaction.get_connection().run_on_commit.clear()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}
    assert events_sweep() == 0  # within the grace a dispatch normally takes
    # Seconds later, not a whole dispatch lease: the sweeper sends what never started.
    assert events_sweep(now=timezone.now() + timedelta(seconds=11)) == Delivery.objects.count()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert effects("eventprobe.record") == 1


def test_admin_replay_applies_the_event_again_on_purpose(admin_client):
    with transaction.atomic():
        publish(order_placed())
    delivery = Delivery.objects.get(subscriber="eventprobe.record")
    delivery_replay(delivery_id=delivery.pk)
    assert effects("eventprobe.record") == 2
    response = admin_client.post(
        "/admin/eventbus/delivery/", {"action": "replay", "_selected_action": [delivery.pk]}, follow=True
    )
    assert response.status_code == 200
    assert effects("eventprobe.record") == 3


def test_admin_lists_outbox_and_deliveries(admin_client):
    with transaction.atomic():
        publish(order_placed())
    assert admin_client.get("/admin/eventbus/outboxevent/").status_code == 200
    assert admin_client.get("/admin/eventbus/delivery/?state__exact=delivered").status_code == 200
    event = OutboxEvent.objects.get()
    assert admin_client.get(f"/admin/eventbus/outboxevent/{event.pk}/change/").status_code == 200


def test_embedded_mode_retries_due_deliveries_when_the_next_event_is_published(probe_mode, settings):
    settings.EVENTS_MAX_ATTEMPTS = 5
    probe_mode("fail")
    with transaction.atomic():
        publish(order_placed("CO-FIRST"))
    flaky = Delivery.objects.get(subscriber="eventprobe.flaky")
    assert flaky.state == "retrying"
    probe_mode("ok")
    Delivery.objects.filter(pk=flaky.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with transaction.atomic():
        publish(order_placed("CO-SECOND"))
    flaky.refresh_from_db()
    assert flaky.state == "delivered" and flaky.attempts == 2
    assert effects("eventprobe.flaky") == 2  # one per event, each once


def test_a_subscriber_that_calls_out_runs_outside_any_transaction_and_still_once():
    from django.db import connection

    from contracts.checkout import OrderPlaced
    from contracts.events import subscribe, unsubscribe

    seen = []

    def calls_out(event):
        seen.append((event.order_number, connection.in_atomic_block))

    subscribe(OrderPlaced, name="eventprobe.calls_out", handler=calls_out, in_transaction=False)
    try:
        with transaction.atomic():
            publish(order_placed("CO-OUT"))
        delivery = Delivery.objects.get(subscriber="eventprobe.calls_out")
        assert delivery.state == "delivered"
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING)
        delivery_attempt(delivery_id=delivery.pk, alias="default")
    finally:
        unsubscribe(name="eventprobe.calls_out")
    assert seen == [("CO-OUT", False)]  # no transaction held open across it; the redelivery found the inbox row


def test_a_delivery_task_retries_on_a_database_error():
    from django.db import DatabaseError, OperationalError

    from commerce.eventbus.tasks import deliver, deliver_batch

    # Celery retries the task itself (with backoff) instead of dropping it; eager mode cannot show it.
    for task in (deliver, deliver_batch):
        assert issubclass(OperationalError, task.autoretry_for) and DatabaseError in task.autoretry_for
        assert task.max_retries >= 5 and task.retry_backoff


def test_purge_forgets_delivered_history_and_keeps_what_may_still_be_delivered(settings):
    from commerce.eventbus.services.housekeeping import events_purge

    settings.EVENTS_RETENTION_DAYS = 30
    with transaction.atomic():
        publish(order_placed())  # delivered to every subscriber
    with transaction.atomic():
        publish(order_placed())
    waiting = OutboxEvent.objects.order_by("-pk").first()
    Delivery.objects.filter(event=waiting, subscriber="eventprobe.record").update(state=Delivery.State.DEAD)
    inbox_rows = InboxEntry.objects.count()

    assert events_purge() == 0  # nothing is old enough yet
    later = timezone.now() + timedelta(days=30, hours=1)
    assert events_purge(now=later, batch_size=1) == 1  # the delivered one, in batches of one
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [waiting.pk]  # a dead letter waits for an operator
    assert not Delivery.objects.exclude(event=waiting).exists() and not DeliveryAttempt.objects.exclude(delivery__event=waiting).exists()
    assert InboxEntry.objects.count() == inbox_rows  # inbox rows outlive events by a day
    assert events_purge(now=later + timedelta(days=1, hours=1)) == 0 and InboxEntry.objects.count() == 0


def test_publish_many_stores_in_bulk_and_delivers_like_publish(django_assert_max_num_queries):
    from contracts.events import publish_many

    events = [order_placed(f"CO-BULK{i:04}") for i in range(1200)]
    # Bulk writes (SQLite takes ~120 deliveries per INSERT, PostgreSQL 500): not two statements per event.
    with transaction.atomic(), django_assert_max_num_queries(100):
        publish_many(events)
        transaction.get_connection().run_on_commit.clear()  # delivered below, not by this commit
    assert OutboxEvent.objects.count() == 1200
    per_event = Delivery.objects.filter(event__payload__order_number="CO-BULK0000").count()
    assert per_event >= len(PROBES) and Delivery.objects.count() == 1200 * per_event
    assert events_sweep(now=timezone.now() + timedelta(minutes=1), limit=10_000) == Delivery.objects.count()
    assert effects("eventprobe.record") == 1200
