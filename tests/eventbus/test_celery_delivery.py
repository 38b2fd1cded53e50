"""The event bus with a real Redis broker and a real Celery worker process.

The worker runs the project's own code against the test database, so these
tests need PostgreSQL (a SQLite test file is private to this process's
transactions) and Redis; elsewhere they skip, and in CI they must run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from commerce.celery import app as celery_app
from commerce.eventbus.models import Delivery, OutboxEvent
from commerce.eventbus.services.dispatch import events_sweep
from commerce.eventbus.tests.conftest import order_placed
from contracts.events import publish
from tests.eventprobe.models import ProbeEffect, ProbeSwitch

pytestmark = [pytest.mark.services, pytest.mark.celery_worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PROBES = ("eventprobe.record", "eventprobe.flaky")


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, every: Callable[[], object] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if every:
            every()
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def effects(subscriber: str) -> int:
    return ProbeEffect.objects.filter(subscriber=subscriber).count()


def probe_state(subscriber: str) -> str:
    return Delivery.objects.get(subscriber=subscriber).state


@pytest.fixture
def broker(postgres, redis_url, settings) -> Iterator[str]:
    """Switch this process to broker mode on a clean Redis database; restore afterwards."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    previous = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = redis_url
    settings.EVENTS_DISPATCH_LEASE_SECONDS = 3
    celery_app.conf.task_always_eager = False
    broker_point_to(redis_url)
    yield redis_url
    celery_app.conf.update(previous)
    broker_point_to(previous["broker_url"])


def broker_point_to(url: str | None) -> None:
    """Send this process's tasks to ``url`` from now on (a fresh connection pool)."""
    celery_app.conf.broker_url = url
    # Drop (not close: kombu shares pools by connection) the cached pools, so the next send connects anew.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(broker, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real `celery worker` processes on the test database; kill them all at the end."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict

    def start(**env_extra: str) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            # A worker that starts a delivery holds it for the dispatch lease: short here, as in this process.
            "EVENTS_DISPATCH_LEASE_SECONDS": "3",
            "PYTHONPATH": str(ROOT),
            **env_extra,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "commerce", "worker", "-P", "solo", "-l", "info",
             "--without-mingle", "--without-gossip", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        started.append(process)
        if not wait_for(lambda: "ready." in log.read_text(), timeout=60):
            pytest.fail(f"worker did not start:\n{log.read_text()[-3000:]}")
        process.log = log  # type: ignore[attr-defined]
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_committed_event_reaches_every_subscriber_once_and_rolled_back_reaches_none(worker):
    worker()
    with transaction.atomic():
        publish(order_placed("CO-COMMITTED"))
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(order_placed("CO-ROLLEDBACK"))
        raise RuntimeError("rolled back")
    assert wait_for(lambda: all(probe_state(p) == "delivered" for p in PROBES))
    assert effects("eventprobe.record") == 1 and effects("eventprobe.flaky") == 1
    assert OutboxEvent.objects.count() == 1


def test_worker_killed_mid_delivery_delivers_again_after_restart_with_one_effect(worker, tmp_path):
    ProbeSwitch.objects.create(mode="slow")
    marker = tmp_path / "started"
    first = worker(PROBE_STARTED_MARKER=str(marker))
    with transaction.atomic():
        publish(order_placed("CO-KILLED"))
    assert wait_for(marker.exists), first.log.read_text()[-3000:]
    os.killpg(first.pid, signal.SIGKILL)  # mid-delivery: the handler is sleeping inside its transaction
    first.wait(timeout=10)
    assert probe_state("eventprobe.flaky") != "delivered"
    assert effects("eventprobe.flaky") == 0  # the killed transaction left nothing

    ProbeSwitch.objects.update(mode="ok")
    second = worker()
    # Redelivery comes from the broker (late ack, visibility timeout) or from the sweeper; either way, once.
    assert wait_for(lambda: probe_state("eventprobe.flaky") == "delivered", timeout=45, every=events_sweep), (
        second.log.read_text()[-3000:]
    )
    time.sleep(6)  # let any second copy of the message arrive too
    assert effects("eventprobe.flaky") == 1
    assert effects("eventprobe.record") == 1


def test_broker_down_at_commit_loses_nothing(worker, broker):
    broker_point_to("redis://127.0.0.1:1/0")  # nothing listens there
    started = time.monotonic()
    with transaction.atomic():
        publish(order_placed("CO-NOBROKER"))
    assert time.monotonic() - started < 15  # the publisher is not held hostage by the broker
    assert OutboxEvent.objects.filter(payload__order_number="CO-NOBROKER").exists()
    assert set(Delivery.objects.filter(subscriber__in=PROBES).values_list("state", flat=True)) == {"pending"}

    broker_point_to(broker)
    worker()
    assert events_sweep() >= len(PROBES)
    assert wait_for(lambda: all(probe_state(p) == "delivered" for p in PROBES))
    assert effects("eventprobe.record") == 1 and effects("eventprobe.flaky") == 1


def test_same_event_delivered_twice_has_one_effect(worker):
    from commerce.eventbus.tasks import deliver

    worker()
    with transaction.atomic():
        publish(order_placed("CO-TWICE"))
    assert wait_for(lambda: probe_state("eventprobe.record") == "delivered")
    delivery = Delivery.objects.get(subscriber="eventprobe.record")
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING)
    deliver.apply_async(args=(delivery.pk, "default"))
    deliver.apply_async(args=(delivery.pk, "default"))
    assert wait_for(lambda: probe_state("eventprobe.record") == "delivered")
    time.sleep(2)
    assert effects("eventprobe.record") == 1


def test_always_failing_subscriber_is_dead_lettered_then_admin_retry_delivers(worker, admin_client):
    ProbeSwitch.objects.create(mode="fail")
    worker(EVENTS_MAX_ATTEMPTS="3", EVENTS_BACKOFF_BASE_SECONDS="0")
    with transaction.atomic():
        publish(order_placed("CO-DEAD"))
    assert wait_for(lambda: probe_state("eventprobe.flaky") == "dead", timeout=60)
    dead = Delivery.objects.get(subscriber="eventprobe.flaky")
    assert dead.attempts == 3 and "probe told to fail" in dead.last_error
    assert probe_state("eventprobe.record") == "delivered" and effects("eventprobe.record") == 1

    ProbeSwitch.objects.update(mode="ok")
    admin_client.post("/admin/eventbus/delivery/", {"action": "retry", "_selected_action": [dead.pk]})
    assert wait_for(lambda: probe_state("eventprobe.flaky") == "delivered")
    assert effects("eventprobe.flaky") == 1


def test_checkout_answers_201_while_the_broker_is_down_and_events_follow_later(worker, broker, api_client, tmp_path):
    from tests.e2e.conftest import complete_body, load_shop

    load_shop(tmp_path)
    token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
    api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": "MUG-1", "quantity": 1}, format="json")
    broker_point_to("redis://127.0.0.1:1/0")
    response = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="no-broker"
    )
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    placed = Delivery.objects.filter(event__name="checkout.OrderPlaced", event__payload__order_number=number)
    assert placed.count() >= 2 and not placed.filter(state="delivered").exists()

    broker_point_to(broker)
    worker()
    events_sweep()
    assert wait_for(lambda: not placed.exclude(state="delivered").exists(), every=events_sweep)
    assert effects("eventprobe.record") == 1
