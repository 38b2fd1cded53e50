"""Subscribers: what the module learns from checkout's orders and the catalog's visibility events.

``order_placed_learn`` asks the catalog which product (and category) each
SKU belongs to, once per order, at event time: an order line names only its
SKU, the catalog contract has no lookup by product slug, and a sale counts in
the category its product had when it was sold. It therefore runs outside a
transaction (``in_transaction=False``) and is idempotent by itself
(``SeenOrder``). If the catalog is down the delivery fails and is retried.
"""

from __future__ import annotations

from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.container import services
from modules.recommendations import conf
from modules.recommendations.services import (
    SoldLine,
    order_forget,
    order_learn,
    product_visibility_set,
    variant_discontinue,
)


def order_placed_learn(event: OrderPlaced) -> None:
    """Count the order's products together and in their categories (the first lines only, by the cap)."""
    lines = [SoldLine(sku=line.sku, quantity=line.quantity) for line in event.lines[: conf.max_order_lines()]]
    variants = services().catalog.variants_get(skus=sorted({line.sku for line in lines})) if lines else {}
    order_learn(number=event.order_number, placed_at=event.occurred_at, lines=lines, variants=variants)


def order_cancelled_forget(event: OrderCancelled) -> None:
    """Take the cancelled order back out: its pairs and its sales."""
    order_forget(number=event.order_number)


def product_unpublished_hide(event: ProductUnpublished) -> None:
    """Never recommend an unpublished product."""
    product_visibility_set(product_id=event.product_id, slug=event.slug, hidden=True, at=event.occurred_at)


def product_published_show(event: ProductPublished) -> None:
    """Recommend a product again once it is published again."""
    product_visibility_set(product_id=event.product_id, slug=event.slug, hidden=False, at=event.occurred_at)


def variant_discontinued_drop(event: VariantDiscontinued) -> None:
    """Never recommend a discontinued variant (a product left without one goes too)."""
    variant_discontinue(sku=event.sku, product_id=event.product_id)
