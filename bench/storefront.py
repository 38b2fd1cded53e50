"""Benchmark the storefront in the production shape: gunicorn, PostgreSQL, optionally Redis + Celery.

    make bench                                   # or: .venv/bin/python bench/storefront.py
    make bench ARGS="--products 50000"           # also shows how the catalog's cost grows
    make bench ARGS="--broker redis://127.0.0.1:6379/3"
    make bench ARGS="--sqlite --seconds 3"

In one run it drops and creates the database (PostgreSQL at ``DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/commerce_bench``; its name must
contain "bench"; SQLite only with ``--sqlite``), migrates it, seeds its own
deterministic shop through the project's import commands (``bench/seed.py``),
and serves it with gunicorn (``--workers`` sync workers, DEBUG off, persistent
database connections) beside ``run_schedule`` (embedded mode) or a Celery
worker and beat (``--broker``). It then measures, each after a warm-up, from
a load generator in a separate process (``bench/loadgen.py``, ``--concurrency``
clients, ``--seconds`` per flow):

- the framework ceiling: a bare Django view (``bench/ceiling/``: no middleware,
  no database) answering the exact bytes of a real listing page, in the same
  gunicorn shape;
- listing (24 per page, priced, with availability, across pages), product
  detail, availability of 3 SKUs, cart create + add line, checkout (new cart,
  add a line, complete) and the hot SKU (every client buys one SKU until it
  is sold out; the database must then show exactly its stock sold);
- at one client, the catalog's scale probes: listing page 1, a deep page, a
  category page and a search, each request a query not asked before (so no
  response cache answers it), to compare a 1,000- with a 50,000-product shop.

It prints per flow requests/s (orders/s for orders), p50/p95/p99, errors,
SQL statements and transactions per request (counted by the bench's
middleware, ``bench/sqlcount.py``), the ratio to the bare view and the
targets of issue 10, and writes the same as JSON under ``var/bench/`` (the
logs of every process beside it). Figures only, nothing is asserted: a slow
machine never fails a build. Every process it starts is stopped on exit,
Ctrl-C and errors included. ``--help`` lists every option; among them
``--seed-only`` (time the imports), ``--cache-url`` (a shared Redis response
cache), ``--loadgen-procs`` (when the load generator's CPU share, printed
per flow, nears 1, it sets the bare view's pace).

The load generator is Python: on a small machine it costs the server CPU a
C client (wrk) would not, so the bare view's rate is lower than wrk's and
the ratios are flattering by that much; its CPU share is in the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import contextlib

from bench import loadgen, shop  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/commerce_bench"
PAGE_SIZE = 24
LISTING_PAGES_MAX = 40  # the listing flow walks pages 1..40 (1,000 products make 40 pages of 24)
LISTING = f"/api/v1/catalog/products/?currency=EUR&page_size={PAGE_SIZE}"
COMPLETE_BODY = {
    "email": "ada@example.com",
    "shipping_address": {"name": "Ada", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"},
}
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent


# --- processes -------------------------------------------------------------------------------


class Processes:
    """Every process the bench starts, each in a session of its own, so stopping one stops its children."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        # SIGTERM to the process itself first: gunicorn and Celery then stop their own children cleanly.
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15.0)
        # Then whatever is left of the session we started (its id is the process's pid): children included.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name in list(self.running)[::-1]:
            self.stop(name)

    def check_alive(self, name: str) -> None:
        process = self.running.get(name)
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {self.logs / (name + '.log')}")


def run(command: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE if capture else None, text=True)
    if result.returncode:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}")
    return result.stdout if capture else ""


def free_port(preferred: int) -> int:
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise SystemExit("no free port")


# --- HTTP from the bench itself (setup and checks only; load comes from loadgen) -------------


def http_get(url: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def wait_ready(base: str, path: str, processes: Processes, name: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        processes.check_alive(name)
        try:
            status, _, body = http_get(base + path, timeout=5)
            if status == 200:
                return
            last = f"{status} {body[:300]!r}"
        except OSError as error:
            last = str(error)
        time.sleep(0.3)
    raise SystemExit(f"{name} not ready at {base}{path}: {last}")


def load(spec: dict, *, logs: Path, processes: Processes, procs: int) -> dict:
    """Run the load generator in ``procs`` processes side by side (the clients split between them); merge their figures."""
    procs = max(1, min(procs, spec["concurrency"]))
    slug = spec["name"].replace(" ", "_").replace("/", "_")
    running = []
    for index in range(procs):
        part = {
            **spec,
            "concurrency": spec["concurrency"] // procs + (1 if index < spec["concurrency"] % procs else 0),
            "max_flows": math.ceil(spec.get("max_flows", 10_000_000) / procs),
            "seed": f"{spec.get('seed', 1)}-{index}",
        }
        spec_path = logs / f"spec-{slug}-{index}.json"
        spec_path.write_text(json.dumps(part))
        process = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "loadgen.py"), str(spec_path)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True,
        )
        processes.running[f"loadgen-{index}"] = process
        running.append(process)
    outputs = []
    try:
        for process in running:
            out, _ = process.communicate(timeout=spec["seconds"] + 120)
            outputs.append(out)
    finally:
        for index in range(procs):
            processes.stop(f"loadgen-{index}")
    if any(process.returncode for process in running):
        raise SystemExit(f"the load generator failed on {spec['name']}")
    figures = loadgen.summarize([json.loads(out) for out in outputs])
    return figures


# --- setup -------------------------------------------------------------------------------------


def database_prepare(url: str) -> str:
    """Drop and create the bench's PostgreSQL database; return the server's version."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: the bench's database name must contain 'bench'")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
        return str(connection.execute("SHOW server_version").fetchone()[0])


def versions(database: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "database": database}
    for package in ("Django", "djangorestframework", "gunicorn", "psycopg", "celery", "orjson"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "-"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True)
        found["commit"] = commit + ("+changes" if dirty.stdout.strip() else "")
    except OSError:
        found["commit"] = "-"
    return found


# --- report ------------------------------------------------------------------------------------


def fmt(value: object, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def report_rows(results: dict, ceiling_rate: float | None) -> list[str]:
    head = f"{'flow':34} {'rate/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'refused':>7} {'SQL':>6} {'tx':>5} {'× bare':>7}"
    rows = [head, "-" * len(head)]
    for name, figures in results.items():
        steps = figures.get("steps", {})
        sql = [s["sql_per_request"] for s in steps.values() if s.get("sql_per_request") is not None]
        tx = [s["tx_per_request"] for s in steps.values() if s.get("tx_per_request") is not None]
        ratio = figures["rate"] / ceiling_rate if ceiling_rate and name != "bare view (ceiling)" else None
        unit = "orders" if figures["flow"] in ("checkout", "hot") else ("flows" if figures["flow"] == "cart" else "req")
        rows.append(
            f"{name:34} {figures['rate']:>9.1f} {fmt(figures['p50_ms']):>8} {fmt(figures['p95_ms']):>8} "
            f"{fmt(figures['p99_ms']):>8} {figures['errors']:>6} {figures['refusals']:>7} "
            f"{fmt(sum(sql) if sql else None, '.1f'):>6} {fmt(sum(tx) if tx else None, '.1f'):>5} "
            f"{fmt(ratio, '.3f'):>7}  {unit}"
        )
        if len(steps) > 1:
            for step_name, step in steps.items():
                rows.append(
                    f"  {step_name:32} {step['requests'] / figures['elapsed_s']:>9.1f} {fmt(step['p50_ms']):>8} "
                    f"{fmt(step['p95_ms']):>8} {fmt(step['p99_ms']):>8} {step['errors']:>6} {step['refusals']:>7} "
                    f"{fmt(step['sql_per_request']):>6} {fmt(step['tx_per_request']):>5}"
                )
    return rows


def targets_check(results: dict, ceiling: float) -> list[str]:
    """Hold each flow to the targets of issue 10; return one line per target with its verdict."""
    lines = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    for figures in results.values():
        ratio = figures["rate"] / ceiling if ceiling else 0.0
        flow, name = figures["flow"], figures.get("name", "")
        if flow == "checkout":
            ok = ratio >= 1 / 60 and (figures["p95_ms"] or 1e9) <= 250 and figures["errors"] == 0
            lines.append(f"checkout >= 1/60 of bare ({ceiling / 60:.1f} orders/s), p95 <= 250 ms, 0 errors: "
                         f"{figures['rate']:.1f} orders/s, p95 {fmt(figures['p95_ms'])} ms, {figures['errors']} errors: {verdict(ok)}")
        elif flow == "hot":
            ok = figures["rate"] >= 60 and figures["errors"] == 0
            lines.append(f"hot SKU >= 60 orders/s, 0 errors: {figures['rate']:.1f} orders/s, {figures['errors']} errors: "
                         f"{verdict(ok)}")
        elif flow == "get" and name in ("listing", "product detail"):
            wanted = 0.25 if name == "listing" else 0.4
            lines.append(f"{name} >= {wanted}x bare: {ratio:.3f}x: {verdict(ratio >= wanted)}")
    return lines


def _without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return parts._replace(netloc=f"{user}{parts.hostname}:{parts.port or 5432}").geturl()


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000, help="products in the shop, 3 variants each (default 1000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per flow (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per flow before measuring (default 2)")
    parser.add_argument("--loadgen-procs", type=int, default=1,
                        help="load generator processes, the clients split between them (default 1)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temporary directory instead of PostgreSQL")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
                        help=f"PostgreSQL database to drop, create and use (default DATABASE_URL or {DEFAULT_DATABASE_URL})")
    parser.add_argument("--broker", default="", help="e.g. redis://127.0.0.1:6379/3: serve with a Celery worker and beat")
    parser.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/4: the shared response cache (CACHE_URL)")
    parser.add_argument("--celery-concurrency", type=int, default=0, help="Celery worker processes (default: Celery's, the core count)")
    parser.add_argument("--stock", type=int, default=1_000_000, help="on hand of every SKU but the hot one (default 1,000,000)")
    parser.add_argument("--hot-stock", type=int, default=300, help="on hand of the hot SKU (default 300)")
    parser.add_argument("--hot-seconds", type=float, default=300.0, help="time limit of the hot-SKU run (default 300)")
    parser.add_argument("--settle-wait", type=float, default=120.0,
                        help="after the hot-SKU run, wait up to this long for pending event deliveries (default 120)")
    parser.add_argument("--probe-requests", type=int, default=20, help="requests per scale probe at one client (default 20)")
    parser.add_argument("--port", type=int, default=0, help="first port to try (the bare view uses the next); default: any free")
    parser.add_argument("--flows", default="listing,detail,availability,cart,checkout,hot,probes",
                        help="which flows to run, comma-separated (the ceiling always runs)")
    parser.add_argument("--seed-events", choices=("settle", "deliver"), default="settle",
                        help="the imports' events: marked delivered without running them (settle, the default: their "
                        "subscribers only invalidate caches no server holds yet) or delivered inline, timed with the imports")
    parser.add_argument("--seed-only", action="store_true", help="create, migrate and seed the database, print the times, stop")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench"), help="where the JSON goes (default var/bench/)")
    args = parser.parse_args()
    flows = {f.strip() for f in args.flows.split(",") if f.strip()}

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    logs = out_dir / f"{stamp}-logs"
    logs.mkdir()
    workdir = Path(tempfile.mkdtemp(prefix="commerce-bench-"))
    processes = Processes(logs)

    def on_signal(signum: int, _frame: object) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        execute(args, flows, stamp, out_dir, logs, workdir, processes)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping every process the bench started", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        processes.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.broker:
            redis_delete(args.broker, [f"commerce-bench-{stamp}*", f"_kombu.binding*.commerce-bench-{stamp}"])
        if args.cache_url:
            redis_delete(args.cache_url, [f"commerce-bench-{stamp}:*"])


def redis_delete(url: str, patterns: list[str]) -> None:
    """Delete this run's keys (its Celery queue and bindings, its cache entries) from Redis; nothing else is touched."""
    try:
        import redis

        client = redis.Redis.from_url(url)
        keys = [key for pattern in patterns for key in client.scan_iter(match=pattern, count=1000)]
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    except Exception as error:  # the run's figures matter more than this clean-up
        print(f"could not delete this run's keys {patterns} from {url}: {error}")


def execute(args: argparse.Namespace, flows: set[str], stamp: str, out_dir: Path, logs: Path, workdir: Path, processes: Processes) -> None:
    cores = os.cpu_count()
    if args.sqlite:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        database_url = args.database_url
        database = f"PostgreSQL {database_prepare(database_url)}"
    env = {
        **os.environ,
        # Every Django process of the run (migrate, seed, server, schedule, worker, checks) on the same settings.
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # TLS ends at the proxy in front; the bench speaks plain HTTP on loopback
        "DB_CONN_MAX_AGE": "600",
        "CHECKOUT_ALLOW_TEST_GATEWAY": "1",  # the test gateway, if production must opt in to it
        # Sixteen clients on one loopback address are one abusive client to the limits: off for the bench.
        "THROTTLES_ENABLED": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "COMMERCE_VAR_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),  # bench importable
    }
    for name in ("CELERY_BROKER_URL", "CACHE_URL", "COMMERCE_MODULES", "CONTRACTS_TOKEN", "CONTRACTS_CLIENT_TOKEN",
                 "CONTRACTS_SERVE_TOKENS", "CONTRACTS_ALLOWED_NETWORKS"):
        env.pop(name, None)
    for module in ("CATALOG", "PRICING", "INVENTORY", "CHECKOUT"):
        env.pop(f"{module}_DATABASE_URL", None)
        env.pop(f"{module}_SERVICE_URL", None)
        env.pop(f"{module}_SERVICE_TOKEN", None)
    if args.broker:
        env["CELERY_BROKER_URL"] = args.broker
        # A queue of this run's own: the server, worker and beat use bench.settings, which reads it; deleted at the end.
        env["BENCH_CELERY_QUEUE"] = f"commerce-bench-{stamp}"
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
        env["BENCH_CACHE_PREFIX"] = f"commerce-bench-{stamp}"
    found = versions(database)
    mode = f"broker {args.broker}" if args.broker else "embedded (no broker)"
    print(f"commerce bench {stamp}: {cores} cores, {database}, gunicorn {args.workers} sync workers, "
          f"{args.concurrency} clients, {args.seconds:g}s per flow, {mode}")
    print("  " + ", ".join(f"{k} {v}" for k, v in found.items() if k != "database"), flush=True)

    manage = [PYTHON, "manage.py"]
    started = time.monotonic()
    run([*manage, "migrate", "--noinput", "-v0"], env)
    migrate_seconds = round(time.monotonic() - started, 2)
    print(f"  migrate: {migrate_seconds:.1f}s", flush=True)
    # Seeded in the embedded mode, the imports' events settled (or, with --seed-events deliver, delivered inline) before
    # the server starts, so no measurement shares the machine with the seed's backlog.
    seed_env = {k: v for k, v in env.items() if k not in ("CELERY_BROKER_URL", "BENCH_CELERY_QUEUE")}
    seed_env["EVENTS_EMBEDDED_DELIVERY"] = "inline"
    seed = json.loads(
        run([PYTHON, "bench/seed.py", "--products", str(args.products), "--stock", str(args.stock),
             "--hot-stock", str(args.hot_stock), "--events", args.seed_events], seed_env, capture=True).strip().splitlines()[-1]
    )

    if args.seed_only:
        print(f"seeding {seed['products']} products / {seed['skus']} SKUs: "
              + ", ".join(f"{k} {v:.1f}s" for k, v in seed["seconds"].items())
              + f"; {seed['deliveries']} event deliveries")
        return

    # The servers.
    port = free_port(args.port)
    bare_port = free_port(port + 1 if args.port else 0)
    base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    gunicorn = [str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else "gunicorn"]
    shape = ["--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning", "--timeout", "60"]
    processes.start("server", [*gunicorn, *shape, "--bind", f"127.0.0.1:{port}", "commerce.wsgi:application"], env)
    if args.broker:
        celery = [str(VENV_BIN / "celery"), "-A", "commerce"]
        worker = [*celery, "worker", "-l", "warning", "--hostname", f"bench-{stamp}@%h"]
        if args.celery_concurrency:
            worker += ["--concurrency", str(args.celery_concurrency)]
        processes.start("celery-worker", worker, env)
        processes.start("celery-beat", [*celery, "beat", "-l", "warning", "-s", str(workdir / "beat-schedule")], env)
    else:
        processes.start("run_schedule", [*manage, "run_schedule"], env)
    wait_ready(base, "/readyz", processes, "server")

    # What to ask for: every page of the listing flow, products, SKUs.
    plan = shop.products(args.products)
    hot = seed["hot_sku"]
    status, _, first = http_get(base + LISTING)
    if status != 200:
        raise SystemExit(f"GET {LISTING} answered {status}: {first[:500]!r}")
    page1 = json.loads(first)
    count = page1.get("count")
    if not page1.get("results"):
        raise SystemExit("the listing is empty: the seed did not publish anything")
    pages = math.ceil(count / PAGE_SIZE) if isinstance(count, int) else 1
    listing_paths = [LISTING + (f"&page={n}" if n > 1 else "") for n in range(1, min(pages, LISTING_PAGES_MAX) + 1)]
    detail_paths = [f"/api/v1/catalog/products/{p.slug}/?currency=EUR" for p in plan]
    skus = [sku for p in plan for sku in p.skus if sku != hot]
    rng = random.Random(7)
    availability_paths = [
        "/api/v1/inventory/availability/?" + "&".join(f"sku={s}" for s in rng.sample(skus, 3)) for _ in range(500)
    ]
    for path in (listing_paths[-1], detail_paths[0], availability_paths[0]):
        status, _, body = http_get(base + path)
        if status != 200:
            print(f"  WARNING: GET {path} answered {status}: {body[:500]!r}", flush=True)

    common = {"host": "127.0.0.1", "concurrency": args.concurrency, "seconds": args.seconds}

    def measure(name: str, spec: dict, port_: int, *, warm: bool = True) -> dict:
        spec = {**common, **spec, "port": port_, "name": name}
        if warm and args.warmup > 0:
            load({**spec, "seconds": args.warmup, "name": name + " warm-up", "seed": 99}, logs=logs, processes=processes,
                 procs=args.loadgen_procs)
        figures = load(spec, logs=logs, processes=processes, procs=args.loadgen_procs)
        figures["name"] = name
        print(f"  measured {name}: {figures['rate']:.1f}/s, p95 {fmt(figures['p95_ms'])} ms, "
              f"{figures['errors']} errors, load generator CPU {figures['loadgen_cpu_share']}", flush=True)
        for sample in figures["error_samples"][:3]:
            print(f"    error sample: {sample}", flush=True)
        return figures

    results: dict[str, dict] = {}

    # The framework ceiling: the exact bytes of listing page 1, from a bare view in the same gunicorn shape.
    bare_body = workdir / "listing-page-1.json"
    bare_body.write_bytes(first)
    bare_env = {**env, "BENCH_CEILING_BODY": str(bare_body), "DJANGO_SETTINGS_MODULE": "bench.ceiling.settings"}
    processes.start("bare", [*gunicorn, *shape, "--bind", f"127.0.0.1:{bare_port}", "bench.ceiling.wsgi:application"], bare_env)
    wait_ready(bare_base, LISTING, processes, "bare")
    status, _, body = http_get(bare_base + LISTING)
    if body != first:
        raise SystemExit("the bare view does not answer the listing's bytes")
    results["bare view (ceiling)"] = measure("bare view (ceiling)", {"flow": "get", "paths": [LISTING]}, bare_port)
    processes.stop("bare")
    ceiling = results["bare view (ceiling)"]["rate"]

    if "listing" in flows:
        results[f"listing, {PAGE_SIZE}/page, {len(listing_paths)} pages"] = measure(
            "listing", {"flow": "get", "paths": listing_paths}, port
        )
    if "detail" in flows:
        results["product detail"] = measure("product detail", {"flow": "get", "paths": detail_paths}, port)
    if "availability" in flows:
        results["availability, 3 SKUs"] = measure("availability", {"flow": "get", "paths": availability_paths}, port)
    if "cart" in flows:
        results["cart create + add line"] = measure("cart", {"flow": "cart", "skus": skus}, port)
    if "checkout" in flows:
        results["checkout (cart, line, complete)"] = measure(
            "checkout", {"flow": "checkout", "skus": skus, "complete_body": COMPLETE_BODY}, port
        )
    if "recommendations" in flows:
        # Opt-in (--flows ...,recommendations), after checkout: its orders feed the model. Popular per category and
        # bought together, each priced and stocked through one pricing and one inventory call.
        reco_paths = [f"/api/v1/recommendations/categories/{c.split('/')[-1]}/?currency=EUR&limit=8" for c in shop.CATEGORIES]
        reco_paths += [f"/api/v1/recommendations/products/{p.slug}/?currency=EUR&limit=8" for p in plan[:200]]
        results["recommendations (popular, bought together)"] = measure("recommendations", {"flow": "get", "paths": reco_paths}, port)
    hot_check = None
    if "hot" in flows:
        # No warm-up of its own (it would sell the stock): the checkout flow warmed the same path.
        results[f"hot SKU ({args.hot_stock} in stock)"] = measure(
            "hot SKU",
            {"flow": "hot", "sku": hot, "complete_body": COMPLETE_BODY, "seconds": args.hot_seconds},
            port,
            warm=False,
        )
        hot_check = json.loads(run([PYTHON, "bench/verify.py", hot, str(args.hot_stock), "--wait", str(args.settle_wait)], env, capture=True).strip().splitlines()[-1])

    probes: dict[str, dict] = {}
    if "probes" in flows:
        # Each request a query not asked before (page sizes 24, 25, ...), so a response cache cannot answer it:
        # these are the costs of the queries themselves, which must not grow with the catalog.
        sizes = [PAGE_SIZE + i % (100 - PAGE_SIZE + 1) for i in range(args.probe_requests)]
        base_path = "/api/v1/catalog/products/?currency=EUR"
        category = shop.CATEGORIES[0].split("/")[-1]
        total = count if isinstance(count, int) else PAGE_SIZE
        for name, paths in (
            ("listing page 1", [f"{base_path}&page_size={n}" for n in sizes]),
            # The second-last page, a full one: as deep as the listing goes.
            ("listing, deep page", [f"{base_path}&page_size={n}&page={max(1, math.ceil(total / n) - 1)}" for n in sizes]),
            (f"category {category}, page 1", [f"{base_path}&page_size={n}&category={category}" for n in sizes]),
            ("search q=linen, page 1", [f"{base_path}&page_size={n}&q=linen" for n in sizes]),
        ):
            spec = {"flow": "get", "paths": paths, "in_order": True, "concurrency": 1, "seconds": 120.0,
                    "max_flows": len(paths)}
            probes[name] = measure(f"probe {name}", spec, port, warm=False)  # warm already; a warm-up would fill the cache
            probes[name]["paths"] = [paths[0], paths[-1]]

    # The report.
    print()
    print(f"{cores} cores; {database}; gunicorn {args.workers} sync workers; {args.concurrency} clients; "
          f"{args.products} products x 3 variants; {args.seconds:g}s per flow; {mode}")
    for line in report_rows(results, ceiling):
        print(line)
    print("  rate: requests/s; for cart, flows/s; for checkout and hot SKU, completed orders/s (p50/p95/p99 of the whole "
          "order): the steady rate between the first and the last completion within the time. SQL and tx: statements and commits per request, summed over a flow's requests. "
          "× bare: rate / the bare view's req/s.")
    bare = results["bare view (ceiling)"]
    if bare.get("loadgen_cpu_share") and bare["loadgen_cpu_share"] > 0.8 * bare["processes"]:
        print(f"  NOTE: the load generator used {bare['loadgen_cpu_share']:.2f} CPU-seconds per second on the bare view: "
              f"it may have set the ceiling's pace (try --loadgen-procs {bare['processes'] + 1}).")
    if hot_check is not None:
        hot_figures = next(f for f in results.values() if f["flow"] == "hot")
        verdict = "exactly the stock sold" if hot_check["exact"] else "NOT exactly the stock sold"
        if not hot_figures["refusals"] and hot_check["ordered_quantity"] < hot_check["stock"]:
            verdict += f" (not sold out within --hot-seconds {args.hot_seconds:g})"
        print(f"hot SKU {hot_check['sku']}: stock {hot_check['stock']}, ordered {hot_check['ordered_quantity']} in "
              f"{hot_check['orders']} orders, ledger sold {hot_check['ledger_sold']}, on hand after "
              f"{hot_check['on_hand_after']}, held after {hot_check['held_after']}, oversold {hot_check['oversold']}, "
              f"unsettled deliveries {hot_check['unsettled_deliveries']}: {verdict}"
              + ("" if hot_check["settled"] else f" (not all settled {args.settle_wait:g}s after the run)"))
    targets = targets_check(results, ceiling)
    if targets:
        print("\ntargets of issue 10 (ratios to the bare view of this run):")
        for line in targets:
            print("  " + line)
    if probes:
        print(f"\nscale probes at one client, {args.products} products ({args.probe_requests} requests each, "
              f"each one a query not asked before: page_size={PAGE_SIZE}, {PAGE_SIZE + 1}, ...):")
        print(f"{'probe':34} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'errors':>6} {'SQL':>6}")
        for name, figures in probes.items():
            step = figures["steps"].get("GET", {})
            print(f"{name:34} {fmt(figures['p50_ms']):>8} {fmt(figures['p95_ms']):>8} {fmt(figures['mean_ms']):>8} "
                  f"{figures['errors']:>6} {fmt(step.get('sql_per_request')):>6}")
    print(f"seeding {seed['products']} products / {seed['skus']} SKUs: "
          + ", ".join(f"{k} {v:.1f}s" for k, v in seed["seconds"].items())
          + f"; {seed['deliveries']} event deliveries")

    document = {
        "timestamp": stamp,
        "cores": cores,
        "platform": platform.platform(),
        "versions": found,
        "config": {
            "database": database,
            "database_url": database_url if args.sqlite else _without_password(database_url),
            "mode": "broker" if args.broker else "embedded",
            "broker": args.broker or None,
            "workers": args.workers,
            "worker_class": "sync",
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "warmup_seconds": args.warmup,
            "products": args.products,
            "variants_per_product": len(shop.VARIANTS),
            "stock": args.stock,
            "hot_stock": args.hot_stock,
            "listing_pages": len(listing_paths),
            "listing_page_bytes": len(first),
            "env": {k: env[k] for k in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DB_CONN_MAX_AGE",
                                        "CHECKOUT_ALLOW_TEST_GATEWAY", "THROTTLES_ENABLED", "EMAIL_BACKEND", "LOG_LEVEL")},
        },
        "setup_seconds": {"migrate": migrate_seconds, **seed["seconds"]},
        "seed_deliveries": seed["deliveries"],
        "ceiling_rate": ceiling,
        "results": {name: {**figures, "ratio_to_bare": (figures["rate"] / ceiling if ceiling else None)}
                    for name, figures in results.items()},
        "hot_sku_check": hot_check,
        "targets": targets,
        "probes": probes,
    }
    path = out_dir / f"{stamp}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nJSON: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}; logs: {logs}")


if __name__ == "__main__":
    main()
