"""The deployable's settings, unchanged, plus the bench's statement counter in front of every request.

With a broker, the bench gives its run a Celery queue of its own (``BENCH_CELERY_QUEUE``), so tasks left in
Redis by one run are never taken by another, and the run deletes its queue when it ends; with a shared cache
(``CACHE_URL``), a key prefix of its own (``BENCH_CACHE_PREFIX``), deleted likewise.
"""

import os

from commerce.settings import *  # noqa: F403
from commerce.settings import CACHES, MIDDLEWARE

MIDDLEWARE = ["bench.sqlcount.SqlCountMiddleware", *MIDDLEWARE]
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "celery")
if os.environ.get("BENCH_CACHE_PREFIX") and "KEY_PREFIX" in CACHES["default"]:
    # A shared cache (CACHE_URL): this run's keys only, so a page cached by an earlier run is never served.
    CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]
