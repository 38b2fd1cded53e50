"""The OutOfStock / BackInStock / LowStock rule: which events a change of availability publishes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings

from contracts.events import Event, publish_many
from contracts.inventory import BackInStock, LowStock, OutOfStockReached
from modules.inventory import selectors


def stock_events_for(
    *, before: Mapping[str, int], after: Mapping[str, int], thresholds: Mapping[str, int]
) -> list[Event]:
    """Return the events of every SKU whose availability crossed a line, by SKU; pure.

    OutOfStock when available reaches 0; BackInStock when it leaves 0; LowStock
    when it drops from above the SKU's threshold to at most it, above 0. A
    change that crosses nothing publishes nothing.
    """
    events: list[Event] = []
    for sku in sorted(after):
        was, now = before.get(sku, 0), after[sku]
        if now == was:
            continue
        if now == 0:
            events.append(OutOfStockReached(sku=sku))
        elif was == 0:
            events.append(BackInStock(sku=sku, available=now))
        elif now <= thresholds[sku] < was:
            events.append(LowStock(sku=sku, available=now, threshold=thresholds[sku]))
    return events


def low_stock_candidates(*, before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    """Return the SKUs that may have crossed their LowStock threshold: they dropped and stayed above 0."""
    return [sku for sku, now in after.items() if 0 < now < before.get(sku, 0)]


def thresholds_from_positions(*, positions: Iterable[selectors.StockPosition]) -> dict[str, int]:
    """Return each SKU's LowStock threshold from positions read ``with_thresholds``; the default otherwise."""
    default = settings.INVENTORY_LOW_STOCK_THRESHOLD
    return {p.sku: default if p.threshold is None else p.threshold for p in positions}


def stock_events_publish(
    *, before: Mapping[str, int], after: Mapping[str, int], thresholds: Mapping[str, int] | None = None
) -> None:
    """Publish the events of ``stock_events_for``; read thresholds only when not given and a SKU may need one."""
    if thresholds is None:
        candidates = low_stock_candidates(before=before, after=after)
        thresholds = (
            selectors.low_stock_thresholds(skus=candidates, default=settings.INVENTORY_LOW_STOCK_THRESHOLD)
            if candidates
            else {}
        )
    default = settings.INVENTORY_LOW_STOCK_THRESHOLD
    # In bulk: an import that brings 48,000 SKUs back in stock writes its events in a few statements.
    publish_many(list(stock_events_for(before=before, after=after, thresholds={sku: thresholds.get(sku, default) for sku in after})))
