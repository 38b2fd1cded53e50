"""The OutOfStock / BackInStock / LowStock rule: which events a change of availability publishes."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from contracts.events import publish
from contracts.inventory import BackInStock, LowStock, OutOfStockReached
from modules.inventory import selectors


def stock_events_publish(*, before: Mapping[str, int], after: Mapping[str, int]) -> None:
    """Publish OutOfStock, BackInStock and LowStock for every SKU whose availability crossed a line.

    OutOfStock when available reaches 0; BackInStock when it leaves 0; LowStock
    when it drops from above the SKU's threshold to at most it, above 0.
    """
    changed = [sku for sku in sorted(after) if after[sku] != before.get(sku, 0)]
    if not changed:
        return
    thresholds = selectors.low_stock_thresholds(skus=changed, default=settings.INVENTORY_LOW_STOCK_THRESHOLD)
    for sku in changed:
        was, now = before.get(sku, 0), after[sku]
        if now == 0:
            publish(OutOfStockReached(sku=sku))
        elif was == 0:
            publish(BackInStock(sku=sku, available=now))
        elif now <= thresholds[sku] < was:
            publish(LowStock(sku=sku, available=now, threshold=thresholds[sku]))
