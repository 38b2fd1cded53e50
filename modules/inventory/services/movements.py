"""Receipts and adjustments by hand: one ledger row each, and on-hand changes by exactly its quantity."""

from __future__ import annotations

from django.db.models import F

from modules.inventory import selectors
from modules.inventory.models import SYSTEM_ACTOR, StockLevel, StockMovement, Warehouse
from modules.inventory.services.locking import stock_lock, transaction_run
from modules.inventory.services.stock_events import stock_events_publish
from modules.inventory.services.validation import (
    ON_HAND_MAX,
    QUANTITY_MAX,
    problem,
    quantity_check,
    sku_check,
    skus_unknown_get,
)


def stock_move(
    *, sku: str, warehouse_code: str, kind: str, quantity: int, reason: str = "", actor: str = SYSTEM_ACTOR
) -> StockMovement:
    """Receive (kind receipt, quantity > 0) or adjust (kind adjustment, signed) the stock of one SKU in one warehouse.

    Writes the ledger row and changes on-hand by exactly its quantity. An
    adjustment may take on-hand below what is held (a count found less); it
    may never take it below zero.
    """
    sku_check(sku, field="sku")
    if kind == StockMovement.Kind.RECEIPT:
        quantity_check(quantity, field="quantity", minimum=1, maximum=QUANTITY_MAX)
    elif kind == StockMovement.Kind.ADJUSTMENT:
        quantity_check(quantity, field="quantity", minimum=-QUANTITY_MAX, maximum=QUANTITY_MAX)
        if quantity == 0:
            raise problem("quantity", "invalid_quantity", "An adjustment of 0 changes nothing.")
    else:
        raise problem("kind", "invalid", "Only receipts and adjustments are recorded by hand.")
    if not isinstance(reason, str) or len(reason) > 200:
        raise problem("reason", "too_long", "At most 200 characters.")
    if not Warehouse.objects.filter(code=warehouse_code).exists():
        raise problem("warehouse", "unknown_warehouse", f"There is no warehouse {warehouse_code!r}.")
    if skus_unknown_get(skus=[sku]):
        raise problem("sku", "unknown_sku", f"The catalog has no SKU {sku!r}.")
    return transaction_run(
        lambda: _stock_move(
            sku=sku, warehouse_code=warehouse_code, kind=kind, quantity=quantity, reason=reason, actor=actor
        )
    )


def _stock_move(*, sku: str, warehouse_code: str, kind: str, quantity: int, reason: str, actor: str) -> StockMovement:
    warehouse = Warehouse.objects.get(code=warehouse_code)
    StockLevel.objects.get_or_create(sku=sku, warehouse=warehouse)
    stock_lock(skus=[sku])
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    target = level.on_hand + quantity
    if target < 0:
        raise problem("quantity", "negative_stock", f"Only {level.on_hand} on hand in {warehouse.code}.")
    if target > ON_HAND_MAX:
        raise problem("quantity", "invalid_quantity", f"On-hand may not exceed {ON_HAND_MAX}.")
    before = selectors.availability_map(skus=[sku])
    StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity)
    movement = StockMovement.objects.create(
        sku=sku, warehouse=warehouse, kind=kind, quantity=quantity, reason=reason, actor=actor
    )
    stock_events_publish(before=before, after=selectors.availability_map(skus=[sku]))
    return movement
