"""Read what the hot-SKU run left in the database; print it as JSON.

    DJANGO_SETTINGS_MODULE=commerce.settings python bench/verify.py SKU STOCK [--wait SECONDS]

Waits (up to ``--wait``) until no event delivery is pending, so a Celery
worker or the embedded bus has settled every order, then reports: the
quantity ordered (orders not cancelled), the quantity the ledger sold, what
is on hand and held, and whether exactly the stock was sold. Read-only;
bench-only, so it reads every module's tables directly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sku")
    parser.add_argument("stock", type=int)
    parser.add_argument("--wait", type=float, default=60.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
    django.setup()
    from django.apps import apps
    from django.db.models import Count, Q, Sum

    Delivery = apps.get_model("eventbus", "Delivery")
    OrderLine = apps.get_model("checkout", "OrderLine")
    StockLevel = apps.get_model("inventory", "StockLevel")
    StockMovement = apps.get_model("inventory", "StockMovement")
    ReservationLine = apps.get_model("inventory", "ReservationLine")

    deadline = time.monotonic() + args.wait
    while True:
        unsettled = Delivery.objects.filter(state__in=("pending", "retrying")).count()
        if not unsettled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    lines = OrderLine.objects.filter(sku=args.sku)
    ordered = lines.exclude(order__status="cancelled").aggregate(q=Sum("quantity"), n=Count("order", distinct=True))
    cancelled = lines.filter(order__status="cancelled").aggregate(q=Sum("quantity"), n=Count("order", distinct=True))
    moved = StockMovement.objects.filter(sku=args.sku).aggregate(
        sold=Sum("quantity", filter=Q(kind="sale")), returned=Sum("quantity", filter=Q(kind="return"))
    )
    held = ReservationLine.objects.filter(sku=args.sku, reservation__state="active").aggregate(q=Sum("quantity"))
    on_hand = StockLevel.objects.filter(sku=args.sku).aggregate(q=Sum("on_hand"))["q"] or 0
    sold_ordered = ordered["q"] or 0
    sold_ledger = -(moved["sold"] or 0) - (moved["returned"] or 0)
    result = {
        "sku": args.sku,
        "stock": args.stock,
        "ordered_quantity": sold_ordered,
        "orders": ordered["n"],
        "cancelled_orders": cancelled["n"],
        "ledger_sold": sold_ledger,
        "on_hand_after": on_hand,
        "held_after": held["q"] or 0,
        "unsettled_deliveries": unsettled,
        "dead_deliveries": Delivery.objects.filter(state="dead").count(),
        "oversold": max(0, sold_ordered - args.stock),
        # Exactly the stock sold: ordered == stock, and the stock is all gone, sold (ledger) or still held for a
        # placed order whose stock commit is not delivered yet (a broker's worker settles after the response).
        "exact": sold_ordered == args.stock and sold_ledger + (held["q"] or 0) == args.stock and on_hand - (held["q"] or 0) == 0,
        "settled": sold_ledger == args.stock and on_hand == 0,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
