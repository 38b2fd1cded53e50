"""Run one module as its own process, and point this process (the shop) at it: the harness of every extraction test.

A module service is the same codebase started with ``COMMERCE_MODULES=<module>``
on a database of its own, reaching the modules it needs back at this test's
live server over HTTP; the shop reaches it over HTTP too, with one credential
per direction. Only configuration differs from the embedded shop.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.container import services_override
from contracts.events import subscribe, subscriptions_for, unsubscribe

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(
    *, module: str, tmp_path: Path, shop_token: str, modules: Sequence[str], **extra: str
) -> dict[str, str]:
    """Return the environment of a process running only ``module``; ``extra`` adds or overrides variables.

    It serves its contract to the shop's modules (``shop_token``), on loopback only; what it calls back (URLs and
    its own token) comes in ``extra``.
    """
    return {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_SERVICE_URL", "_DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "COMMERCE_MODULES": module,
        "DATABASE_URL": f"sqlite:///{tmp_path / f'{module}-service.sqlite3'}",
        "CONTRACTS_SERVE_TOKENS": "+".join(m for m in modules if m != module) + f"={shop_token}",
        "CONTRACTS_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128",
        "SECRET_KEY": f"extraction-test-secret-key-of-{module}-" + "x" * 30,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "THROTTLES_ENABLED": "0",
        "CELERY_BROKER_URL": "",
        "COMMERCE_VAR_DIR": str(tmp_path),
        **extra,
    }


@contextmanager
def module_service(
    *, module: str, env: dict[str, str], tmp_path: Path, prepare: Callable[[Callable[..., None]], None] | None = None
) -> Iterator[tuple[str, Path]]:
    """Migrate, ``prepare`` (given a ``manage.py`` runner) and serve ``module``'s process; yield its URL and log."""
    manage = [sys.executable, "manage.py"]

    def run(*args: str) -> None:
        result = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    run("migrate", "--noinput", "-v0")
    if prepare is not None:
        prepare(run)
    port, log_path = free_port(), tmp_path / f"{module}-service.log"
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
        yield url, log_path
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def module_elsewhere(*, module: str, url: str, token: str, settings: object, events: Sequence[str] = ()) -> Iterator[ContractClient]:
    """Serve ``module`` from the process at ``url``: its contract and its ``events``; yield the client.

    In a real split this process would not install the module; here its local subscribers to ``events`` would
    react against empty local tables, so they are taken out for the test and put back after.
    """
    remote = ContractClient(module=module, protocol=CONTRACT_PROTOCOLS[module], base_url=url, token=token, timeout=10)
    settings.MODULE_SERVICE_URLS = {module: url}
    settings.CONTRACTS_SERVICE_TOKENS = {module: token}
    local = [s for name in events for s in subscriptions_for(name) if s.module == module]
    for subscription in local:
        unsubscribe(name=subscription.name)
    try:
        with services_override(**{module: remote}):
            yield remote
    finally:
        for s in local:
            subscribe(s.event_type, name=s.name, handler=s.handler, in_transaction=s.in_transaction)
