"""Seed the bench's shop through the project's own import commands; print what it took as JSON.

    DJANGO_SETTINGS_MODULE=commerce.settings python bench/seed.py --products 1000 --stock 100000 --hot-stock 300

The demo seed (``seed_demo``) makes 1 to 4 variants per product and stock in
the tens, so the bench writes CSV files of its own shop (``bench/shop.py``:
3 variants per product, one EUR price each, ``--stock`` on hand in the main
warehouse, ``--hot-stock`` for the hot SKU) and loads them with
``import_catalog``, ``import_prices`` and ``import_stock``: the same
validated, all-or-nothing path a shop uses, timed per command. The two demo
warehouses are created by the inventory module's demo seed (with no SKUs).
The imports' events are stored with their deliveries as always; by default
(``--events settle``) none is dispatched and the bench marks them delivered
(their subscribers only invalidate caches no server holds yet); with
``--events deliver`` and ``EVENTS_EMBEDDED_DELIVERY=inline`` (as the bench
sets) they are delivered before each command returns, so the import times
include them. Deliveries are counted by state in the output.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import django  # noqa: E402

CHUNK_ROWS = 45_000  # below every import's per-file row limit
WAREHOUSE = "MAIN"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def chunked(rows: list, size: int) -> list[list]:
    return [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, required=True)
    parser.add_argument("--stock", type=int, required=True)
    parser.add_argument("--hot-stock", type=int, required=True)
    parser.add_argument("--events", choices=("settle", "deliver"), default="settle")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
    django.setup()
    from django.core.management import call_command

    from bench import shop
    from modules.inventory.demo import inventory_demo_seed

    if args.events == "settle":
        _dispatch_off()
    plan = shop.products(args.products)
    hot = shop.hot_sku()
    timings: dict[str, float] = {}
    inventory_demo_seed(skus=[])  # the demo warehouses, MAIN and EAST, with no stock

    with tempfile.TemporaryDirectory(prefix="commerce-bench-seed-") as tmp:
        catalog_rows = [
            [sku, p.slug, p.name, size, p.category, p.description, "published"]
            for p in plan
            for sku, size in zip(p.skus, shop.VARIANTS, strict=True)
        ]
        price_rows = [[sku, "EUR", str(p.price_eur)] for p in plan for sku in p.skus]
        stock_rows = [[sku, WAREHOUSE, str(args.hot_stock if sku == hot else args.stock)] for p in plan for sku in p.skus]
        for command, header, rows in (
            ("import_catalog", ["sku", "product_slug", "product_name", "variant_name", "category", "description", "status"], catalog_rows),
            ("import_prices", ["sku", "currency", "amount"], price_rows),
            ("import_stock", ["sku", "warehouse", "on_hand"], stock_rows),
        ):
            started = time.monotonic()
            # Products stay whole within a file: 3 rows each, and CHUNK_ROWS is a multiple of 3.
            for index, chunk in enumerate(chunked(rows, CHUNK_ROWS)):
                path = Path(tmp) / f"{command}-{index}.csv"
                write_csv(path, header, chunk)
                call_command(command, str(path), stdout=io.StringIO())
            timings[command] = round(time.monotonic() - started, 2)
            print(f"  {command}: {len(rows)} rows in {timings[command]:.1f}s", file=sys.stderr, flush=True)
    if args.events == "settle":
        settled = _settle()
        deliveries = {"settled_by_bench": settled, **_deliveries()}
    else:
        # Delivered inline after each commit (EVENTS_EMBEDDED_DELIVERY=inline); sweep what is due (retries), count.
        started = time.monotonic()
        while _due() and time.monotonic() - started < 600:
            call_command("events", "sweep", stdout=io.StringIO())
        timings["events_sweep"] = round(time.monotonic() - started, 2)
        deliveries = _deliveries()
    _statistics_refresh()
    print(f"  event deliveries: {deliveries}", file=sys.stderr, flush=True)
    print(json.dumps({"products": len(plan), "skus": len(plan) * len(shop.VARIANTS), "hot_sku": hot, "seconds": timings,
                      "deliveries": deliveries}))


def _dispatch_off() -> None:
    """Store the imports' events and deliveries as usual, but dispatch none of them (see ``_settle``)."""
    from commerce.eventbus.services import dispatch

    if not hasattr(dispatch, "deliveries_dispatch"):
        print("  WARNING: commerce.eventbus.services.dispatch.deliveries_dispatch is gone: the seed's events are delivered",
              file=sys.stderr, flush=True)
        return
    dispatch.deliveries_dispatch = lambda **kwargs: None


def _statistics_refresh() -> None:
    """Refresh the planner's statistics, as autovacuum does within a minute of a bulk load: measure the steady state."""
    from django.db import connections

    for connection in connections.all():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def _settle() -> int:
    """Mark the seed's deliveries delivered without running them; return how many.

    Their subscribers only invalidate storefront caches, and no server has
    cached anything yet: delivering tens of thousands of them would only make
    the seed slow and the first measurements share the machine with them.
    ``--seed-events deliver`` delivers them instead, to time the imports with their events.
    """
    from django.apps import apps
    from django.utils import timezone

    Delivery = apps.get_model("eventbus", "Delivery")
    return Delivery.objects.filter(state__in=("pending", "retrying")).update(state="delivered", delivered_at=timezone.now())


def _due() -> int:
    from django.apps import apps
    from django.utils import timezone

    Delivery = apps.get_model("eventbus", "Delivery")
    return Delivery.objects.filter(state__in=("pending", "retrying"), next_attempt_at__lte=timezone.now()).count()


def _deliveries() -> dict[str, int]:
    from django.apps import apps
    from django.db.models import Count

    Delivery = apps.get_model("eventbus", "Delivery")
    return dict(Delivery.objects.values_list("state").annotate(n=Count("id")).order_by())


if __name__ == "__main__":
    main()
