"""A live shop in a process of its own, for the tests that talk to the API as an outside client would."""

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def shop_server(tmp_path_factory) -> Iterator[str]:
    """Serve the demo shop (migrated, seeded) from a process of its own with DEBUG off; yield its base URL.

    Its own SQLite file, so nothing it does touches the test database; the
    test payment provider is allowed so an order can be placed.
    """
    yield from _shop(tmp_path_factory)


@pytest.fixture(scope="session")
def storefront_shop_server(tmp_path_factory) -> Iterator[str]:
    """Another such shop, for the storefront script: the fuzzer's requests (one address) may have used up its limits."""
    yield from _shop(tmp_path_factory)


def _shop(tmp_path_factory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("live-shop")
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_SERVICE_URL", "_DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "DATABASE_URL": f"sqlite:///{var / 'shop.sqlite3'}",
        "SECRET_KEY": "live-shop-test-not-a-secret-" + "x" * 30,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
        "COMMERCE_VAR_DIR": str(var),
        "CHECKOUT_ALLOW_TEST_GATEWAY": "1",
        "PAYMENTS_ALLOW_TEST_PROVIDER": "1",
    }
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    port = _free_port()
    log_path = var / "server.log"
    with log_path.open("w") as log:
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
                pytest.fail(log_path.read_text())
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)
