"""Benchmark the storefront: requests/s, latency percentiles and queries per request.

Builds a throw-away SQLite shop with the demo data (``--products``), serves
it with Django's threaded server on a free loopback port, and drives it from
a bounded number of client threads for a bounded time. Figures are printed;
nothing is asserted, so a slow machine never fails a build.

    .venv/bin/python bench/storefront.py --products 2000 --seconds 10 --concurrency 8
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)]


def drive(url: str, *, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
    }


def queries_per_request(env: dict[str, str], paths: list[str]) -> dict[str, int]:
    code = f"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, out = Client(), {{}}
for path in {paths!r}:
    client.get(path)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200, path
    out[path] = len(ctx.captured_queries)
print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="commerce-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "COMMERCE_VAR_DIR": str(workdir),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    subprocess.run([*manage, "seed_demo", "--products", str(args.products)], cwd=ROOT, env=env, check=True)
    print(f"seed_demo --products {args.products}: {time.monotonic() - started:.1f}s")

    paths = {
        "listing, 20 per page": "/api/v1/catalog/products/?page_size=20",
        "listing, 100 per page, priced (EUR)": "/api/v1/catalog/products/?page_size=100&currency=EUR",
        "listing, search": "/api/v1/catalog/products/?q=shirt&currency=EUR",
        "availability of 3 SKUs": None,
    }
    first = json.loads(
        subprocess.run(
            [sys.executable, "-c", "import django,json;django.setup();from django.test import Client;"
             "print(json.dumps(Client().get('/api/v1/catalog/products/?page_size=3').json()))"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
    )
    skus = [v["sku"] for p in first["results"] for v in p["variants"]][:3]
    paths["availability of 3 SKUs"] = "/api/v1/inventory/availability/?" + "&".join(f"sku={s}" for s in skus)
    paths["product detail, priced"] = f"/api/v1/catalog/products/{first['results'][0]['slug']}/?currency=EUR"

    queries = queries_per_request(env, list(paths.values()))
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        print(f"\n{'endpoint':40} {'queries':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for name, path in paths.items():
            figures = drive(f"http://127.0.0.1:{port}{path}", seconds=args.seconds, concurrency=args.concurrency)
            print(
                f"{name:40} {queries[path]:>7} {figures['rps']:>8.1f} {figures['p50_ms']:>8.1f} "
                f"{figures['p95_ms']:>8.1f} {figures['p99_ms']:>8.1f} {figures['errors']:>6}"
            )
        print(f"\n(Django's threaded development server, {args.concurrency} client threads, {args.seconds:.0f}s each, SQLite)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
