"""Writes of the read model, one per event kind; each is idempotent by the module's own rows.

Placing and cancelling are applied once per order number, in either order
(a cancellation that arrives first leaves a tombstone the placement finds),
so a redelivery, a replay of the history or a rebuild over a live model
counts nothing twice. Catalog visibility keeps the newest event's word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, router
from django.utils import timezone

from contracts.catalog import VariantInfo
from kernel.transactions import atomic_for
from modules.recommendations import conf
from modules.recommendations.models import CategorySale, ProductPair, SeenOrder, SeenProduct, SeenVariant


@dataclass(frozen=True, slots=True, kw_only=True)
class SoldLine:
    sku: str
    quantity: int


def order_weight(*, placed_at: datetime) -> float:
    """Return the forward-decay weight of an order placed at ``placed_at`` (its score in every pair it makes)."""
    days = (placed_at - conf.DECAY_EPOCH).total_seconds() / 86400
    return 2.0 ** (days / conf.half_life_days())


def order_learn(*, number: str, placed_at: datetime, lines: Sequence[SoldLine], variants: Mapping[str, VariantInfo]) -> bool:
    """Count a placed order: its products' pairs and category sales; return whether it counted now.

    Only the first ``RECOMMENDATIONS_MAX_ORDER_LINES`` lines are considered,
    so one order writes at most that many squared pairs, in one statement.
    SKUs the catalog does not know are skipped. An order already counted, or
    already cancelled, changes nothing.
    """
    considered = list(lines)[: conf.max_order_lines()]
    with atomic_for(SeenOrder):
        order, created = SeenOrder.objects.select_for_update().get_or_create(number=number)
        if order.counted or order.cancelled:
            return False
        quantities: dict[int, int] = {}
        seen: dict[str, VariantInfo] = {}
        for line in considered:
            info = variants.get(line.sku)
            if info is None:
                continue
            quantities[info.product_id] = quantities.get(info.product_id, 0) + line.quantity
            seen[info.sku] = info
        _variants_note(variants=list(seen.values()))
        products = list(quantities)
        weight = order_weight(placed_at=placed_at)
        order.placed_at, order.weight, order.product_ids, order.counted = placed_at, weight, products, True
        order.save(update_fields=["placed_at", "weight", "product_ids", "counted"])
        _pairs_add(products=products, weight=weight, orders=1)
        categories = {info.product_id: info.category_path for info in variants.values()}
        CategorySale.objects.bulk_create(
            [
                CategorySale(order_number=number, category=slug, product_id=product, quantity=quantity, placed_at=placed_at)
                for product, quantity in quantities.items()
                for slug in dict.fromkeys(filter(None, categories.get(product, "").split("/")))
            ]
        )
    return True


def order_forget(*, number: str) -> bool:
    """Take a cancelled order back out of the model; return whether it changed anything now."""
    with atomic_for(SeenOrder):
        order, _ = SeenOrder.objects.select_for_update().get_or_create(number=number)
        if order.cancelled:
            return False
        order.cancelled = True
        order.save(update_fields=["cancelled"])
        if order.counted:
            _pairs_add(products=order.product_ids, weight=-order.weight, orders=-1)
            ProductPair.objects.filter(product_id__in=order.product_ids, orders__lte=0).delete()
            CategorySale.objects.filter(order_number=number).delete()
    return True


def product_visibility_set(*, product_id: int, slug: str, hidden: bool, at: datetime) -> None:
    """Record that the catalog (un)published a product at ``at``; an older word than the last one is ignored."""
    with atomic_for(SeenProduct):
        product, _ = SeenProduct.objects.select_for_update().get_or_create(product_id=product_id, defaults={"slug": slug})
        if product.visibility_at is not None and product.visibility_at > at:
            return
        product.hidden, product.visibility_at, product.slug = hidden, at, slug
        product.save(update_fields=["hidden", "visibility_at", "slug"])


def variant_discontinue(*, sku: str, product_id: int) -> None:
    """Record that a variant is discontinued: it is never recommended again (it cannot be bought)."""
    with atomic_for(SeenVariant):
        SeenVariant.objects.update_or_create(sku=sku, defaults={"product_id": product_id, "discontinued": True})


def _variants_note(*, variants: Sequence[VariantInfo]) -> None:
    """Keep what a sale tells of its products (slug, name, category path) and SKUs: two upserts, whatever the count.

    Visibility and discontinuation are left as the catalog's events set them.
    """
    if not variants:
        return
    products = {info.product_id: info for info in variants}
    SeenProduct.objects.bulk_create(
        [
            SeenProduct(product_id=pid, slug=info.product_slug, name=info.product_name, category_path=info.category_path)
            for pid, info in sorted(products.items())
        ],
        update_conflicts=True,
        unique_fields=["product_id"],
        update_fields=["slug", "name", "category_path"],
    )
    SeenVariant.objects.bulk_create(
        [SeenVariant(sku=info.sku, product_id=info.product_id) for info in sorted(variants, key=lambda v: v.sku)],
        update_conflicts=True,
        unique_fields=["sku"],
        update_fields=["product_id"],
    )


def _pairs_add(*, products: Sequence[int], weight: float, orders: int) -> None:
    """Add ``weight`` and ``orders`` to every ordered pair of distinct ``products``: one upsert statement."""
    pairs = [(a, b) for a in products for b in products if a != b]
    if not pairs:
        return
    alias = router.db_for_write(ProductPair)
    connection = connections[alias]
    table = connection.ops.quote_name(ProductPair._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (product_id, other_id, orders, score) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(pairs))
            + f" ON CONFLICT (product_id, other_id) DO UPDATE SET orders = {table}.orders + EXCLUDED.orders,"
            f" score = {table}.score + EXCLUDED.score",
            [value for a, b in pairs for value in (a, b, orders, weight)],
        )


def model_reset() -> None:
    """Forget everything learned (before a rebuild from the history)."""
    with atomic_for(SeenOrder):
        for model in (CategorySale, ProductPair, SeenOrder, SeenVariant, SeenProduct):
            model.objects.all().delete()


def sales_purge() -> int:
    """Forget category sales older than the popular window: they no longer count; return how many went."""
    since = timezone.now() - timedelta(days=conf.popular_window_days())
    with atomic_for(CategorySale):
        return CategorySale.objects.filter(placed_at__lt=since).delete()[0]
