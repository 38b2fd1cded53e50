"""Test settings: the one env-driven settings module, plus what only tests need.

SQLite tests use a file (not shared-cache memory), so concurrency tests see
the real WAL, IMMEDIATE-transaction and busy-timeout behaviour; the file
name carries the process id so parallel runs never collide.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret-but-long-enough-for-hs256")

from commerce.settings import *  # noqa: E402,F403
from commerce.settings import DATABASES  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS[:-1], "tests.eventprobe", INSTALLED_APPS[-1]]  # noqa: F405

# Deliveries run right after commit, in the test's thread, so a test sees their effects at once;
# tests/eventbus/test_delivery_thread.py covers the production default ("thread").
EVENTS_EMBEDDED_DELIVERY = "inline"

# The suite pays with the test gateway (DEBUG is off here, as in production).
CHECKOUT_ALLOW_TEST_GATEWAY = True

# Abuse limits count across tests in one process's cache: off, except in tests/security, which turn them on.
THROTTLES_ENABLED = False
AXES_ENABLED = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

for _alias, _config in DATABASES.items():
    if _config["ENGINE"] == "django.db.backends.sqlite3":
        _config["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"commerce-test-{os.getpid()}-{_alias}.sqlite3")}

# The runtime boundary guard: a query from one module's code into another module's tables fails the test that ran it,
# naming both (commerce/architecture/guard.py; tests/architecture/test_guard.py).
from commerce.architecture.guard import guard_install  # noqa: E402

guard_install()
