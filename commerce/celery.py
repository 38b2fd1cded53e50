"""The Celery app, configured for reliability over throughput.

Events and tasks must not be lost when a worker dies, so every choice below
trades a little speed for at-least-once execution; handlers are idempotent
(the event inbox), which makes a repeated execution harmless.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")

app = Celery("commerce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # Acknowledge after the task ran, not when it was received: a worker that
    # dies mid-task leaves the message unacknowledged, so it is delivered again.
    task_acks_late=True,
    # A task whose worker process was killed (SIGKILL, OOM) is re-queued, not failed.
    task_reject_on_worker_lost=True,
    # Take one message at a time: prefetched messages die with a crashed worker
    # and wait out the visibility timeout before anyone else may run them.
    worker_prefetch_multiplier=1,
    broker_transport_options={
        # Must exceed the longest task (and any countdown), or Redis hands a
        # still-running task to a second worker. The outbox sweeper covers the rest.
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 60 * 60)),
        # Fail fast when the broker is down: the outbox keeps the event and the
        # sweeper dispatches it later, so the request need not wait for Redis.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    },
    broker_connection_retry_on_startup=True,
    task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
)
app.autodiscover_tasks()  # the tasks.py of every installed app
