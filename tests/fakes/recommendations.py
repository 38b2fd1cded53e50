"""Implements ``contracts.recommendations.RecommendationsService`` in memory, learning from the same events.

Tests feed it events (``event_apply``) as the bus feeds the module; it asks
its catalog (a ``FakeCatalog`` or any ``CatalogService``) which product each
sold SKU belongs to, as the module's handler does. Scores use the module's
forward decay with the same epoch and half-life.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.errors import FieldProblem, InvalidInput
from contracts.events import Event
from contracts.recommendations import RECOMMENDATIONS_MAX_LIMIT, Recommendation
from tests.fakes.recording import Recording

DECAY_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


class FakeRecommendations(Recording):
    def __init__(self, *, catalog: Any, half_life_days: float = 30, window_days: int = 30, max_order_lines: int = 20) -> None:
        super().__init__()
        self.catalog = catalog
        self.half_life_days, self.window_days, self.max_order_lines = half_life_days, window_days, max_order_lines
        self.products: dict[int, dict[str, Any]] = {}  # id -> slug, name, path, hidden, visibility_at
        self.variants: dict[str, tuple[int, bool]] = {}  # sku -> (product id, discontinued)
        self.orders: dict[str, dict[str, Any]] = {}
        self.pairs: dict[tuple[int, int], list[float]] = {}  # (a, b) -> [orders, score]

    # --- learning (what the bus would deliver) ---------------------------------------

    def event_apply(self, event: Event) -> None:
        """Apply one event as the module's subscribers would (each at most once by their own state)."""
        if isinstance(event, OrderPlaced):
            self._placed(event)
        elif isinstance(event, OrderCancelled):
            self._cancelled(event.order_number)
        elif isinstance(event, ProductPublished | ProductUnpublished):
            product = self.products.setdefault(event.product_id, {"slug": event.slug, "name": "", "path": "", "hidden": False, "at": None})
            if product["at"] is None or product["at"] <= event.occurred_at:
                product.update(slug=event.slug, hidden=isinstance(event, ProductUnpublished), at=event.occurred_at)
        elif isinstance(event, VariantDiscontinued):
            self.variants[event.sku] = (event.product_id, True)

    def _placed(self, event: OrderPlaced) -> None:
        order = self.orders.setdefault(event.order_number, {"counted": False, "cancelled": False})
        if order["counted"] or order["cancelled"]:
            return
        lines = event.lines[: self.max_order_lines]
        infos = self.catalog.variants_get(skus=sorted({line.sku for line in lines})) if lines else {}
        quantities: dict[int, int] = {}
        for line in lines:
            info = infos.get(line.sku)
            if info is None:
                continue
            quantities[info.product_id] = quantities.get(info.product_id, 0) + line.quantity
            product = self.products.setdefault(info.product_id, {"hidden": False, "at": None})
            product.update(slug=info.product_slug, name=info.product_name, path=info.category_path)
            self.variants[info.sku] = (info.product_id, self.variants.get(info.sku, (0, False))[1])
        weight = 2.0 ** ((event.occurred_at - DECAY_EPOCH).total_seconds() / 86400 / max(self.half_life_days, 7))
        order.update(counted=True, weight=weight, quantities=quantities, placed_at=event.occurred_at)
        self._pairs_add(list(quantities), weight, 1)

    def _cancelled(self, number: str) -> None:
        order = self.orders.setdefault(number, {"counted": False, "cancelled": False})
        if order["cancelled"]:
            return
        order["cancelled"] = True
        if order["counted"]:
            self._pairs_add(list(order["quantities"]), -order["weight"], -1)

    def _pairs_add(self, products: list[int], weight: float, orders: int) -> None:
        for a in products:
            for b in products:
                if a != b:
                    pair = self.pairs.setdefault((a, b), [0, 0.0])
                    pair[0] += orders
                    pair[1] += weight
                    if pair[0] <= 0:
                        del self.pairs[(a, b)]

    # --- the contract ------------------------------------------------------------------

    def bought_together_get(self, *, product_slug: str, limit: int) -> tuple[Recommendation, ...]:
        self._enter("bought_together_get", product_slug=product_slug, limit=limit)
        self._check(product_slug, limit, "product_slug")
        ids = {pid for pid, p in self.products.items() if p.get("slug") == product_slug}
        ranked = sorted(((-s, b) for (a, b), (n, s) in self.pairs.items() if a in ids and n > 0 and not self._hidden(b)))
        return self._recommendations([(b, -s) for s, b in ranked][: limit * 2], limit)

    def popular_get(self, *, category_slug: str, limit: int) -> tuple[Recommendation, ...]:
        self._enter("popular_get", category_slug=category_slug, limit=limit)
        self._check(category_slug, limit, "category_slug")
        since = datetime.now(UTC) - timedelta(days=self.window_days)
        units: dict[int, int] = {}
        for order in self.orders.values():
            if not order["counted"] or order["cancelled"] or order["placed_at"] < since:
                continue
            for product_id, quantity in order["quantities"].items():
                if category_slug in self.products[product_id].get("path", "").split("/") and not self._hidden(product_id):
                    units[product_id] = units.get(product_id, 0) + quantity
        ranked = sorted(units.items(), key=lambda item: (-item[1], item[0]))
        return self._recommendations([(pid, float(n)) for pid, n in ranked][: limit * 2], limit)

    def _hidden(self, product_id: int) -> bool:
        return bool(self.products.get(product_id, {}).get("hidden"))

    def _recommendations(self, ranked: list[tuple[int, float]], limit: int) -> tuple[Recommendation, ...]:
        found = []
        for product_id, score in ranked:
            skus = tuple(sorted(sku for sku, (pid, gone) in self.variants.items() if pid == product_id and not gone))
            product = self.products.get(product_id)
            if product is None or not skus:
                continue
            found.append(
                Recommendation(product_id=product_id, product_slug=product["slug"], product_name=product.get("name", ""), skus=skus, score=score)
            )
        return tuple(found[:limit])

    @staticmethod
    def _check(slug: str, limit: int, field: str) -> None:
        if not 1 <= limit <= RECOMMENDATIONS_MAX_LIMIT:
            detail = f"limit is between 1 and {RECOMMENDATIONS_MAX_LIMIT}."
            raise InvalidInput(detail, code="invalid_limit", errors=(FieldProblem(field="limit", code="invalid_limit", detail=detail),))
        if not slug or len(slug) > 200:
            detail = "a slug of 1 to 200 characters."
            raise InvalidInput(detail, code="invalid_slug", errors=(FieldProblem(field=field, code="invalid_slug", detail=detail),))
