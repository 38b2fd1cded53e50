"""A schema-driven fuzzer with every check finds nothing: the published API is exactly the API.

Schemathesis reads ``/api/schema/`` from a live server (its own process, on a
freshly migrated and seeded SQLite shop) and runs all of its phases
(examples, coverage, fuzzing, stateful) with all of its checks: no 5xx,
every status and content type documented, every response valid against its
schema, every schema-invalid request refused, and no schema-valid request
refused with a 400 (``tests/api/schemathesis.toml``: a 422, a rule the schema
cannot state, is accepted). The examples are bounded and the seed is fixed,
so the run is reproducible and takes about a minute.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
# The operations held to the fuzzer. Checkout joins once its schema passes (see docs/API-CHANGELOG.md).
OPERATIONS = r"^/api/v1/(catalog|pricing|inventory)/"
MAX_EXAMPLES = 30
SEED = 1

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory) -> Iterator[str]:
    """Serve a seeded demo shop from a process of its own (production settings, DEBUG off); yield its base URL."""
    var = tmp_path_factory.mktemp("fuzzed-shop")
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_SERVICE_URL", "_DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "DATABASE_URL": f"sqlite:///{var / 'shop.sqlite3'}",
        "SECRET_KEY": "fuzz-test-not-a-secret-" + "x" * 30,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
        "COMMERCE_VAR_DIR": str(var),
    }
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    port = _free_port()
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail((var / "server.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_the_fuzzer_with_every_check_finds_nothing(shop_server, tmp_path):
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{shop_server}/api/schema/",
        "--checks",
        "all",
        "--include-path-regex",
        OPERATIONS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--request-timeout",
        "30",
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout, result.stdout
