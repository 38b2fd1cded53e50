"""The embedded mode's delivery worker: a thread per process that delivers events after the response.

Without a broker, deliveries used to run in the request that published them,
so a slow subscriber (a mail server that never answers, a remote module)
held a customer's checkout for as long as it stalled. Here the request only
queues the delivery ids; this thread delivers them with the same retry and
dead-letter rules. Nothing is lost if the process dies with ids still queued:
their rows wait in the outbox and the sweeper (``run_schedule``) dispatches
them once their dispatch lease runs out.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence

from django.db import close_old_connections

logger = logging.getLogger(__name__)

Work = Callable[[str, Sequence[int]], None]


class DeliveryThread:
    """A queue of (alias, delivery ids) and one daemon thread draining it, started on first use in each process."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Work, str, tuple[int, ...]]] = queue.Queue()
        self._lock = threading.Lock()
        self._pid: int | None = None

    def submit(self, *, work: Work, alias: str, delivery_ids: Sequence[int]) -> None:
        """Queue ``work(alias, delivery_ids)`` for the thread; never blocks the caller."""
        self._ensure_started()
        self._queue.put((work, alias, tuple(delivery_ids)))

    def is_current(self) -> bool:
        """Say whether the caller is the delivery thread itself (which then delivers what it publishes at once)."""
        return threading.current_thread().name == "event-delivery" and self._pid == os.getpid()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far was delivered (or ``timeout`` passed); return whether it was."""
        done = threading.Event()
        self._ensure_started()
        self._queue.put((lambda alias, ids: done.set(), "", ()))
        return done.wait(timeout)

    def _ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked worker (gunicorn) inherits the queue but not the thread: start afresh.
            self._queue = queue.Queue()
            threading.Thread(target=self._run, name="event-delivery", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            work, alias, ids = self._queue.get()
            try:
                work(alias, ids)
            except Exception:
                logger.exception("delivering %s on %s failed; the sweeper retries them", ids, alias or "-")
            finally:
                close_old_connections()


delivery_thread = DeliveryThread()
