"""The recommendations module's test shop: catalog, pricing and inventory as their verified fakes.

Four products: a tee (two sizes) and socks in apparel/shirts and apparel/socks,
a mug and a plate in home/kitchen. Events are handed to the module's
handlers as the bus would (the bus itself: tests/recommendations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from contracts.checkout import OrderCancelled, OrderLine, OrderPlaced
from contracts.container import services_override
from modules.recommendations import handlers
from tests.fakes.catalog import FakeCatalog
from tests.fakes.inventory import FakeInventory
from tests.fakes.pricing import FakePricing

NOW = datetime.now(UTC)


@dataclass
class Shop:
    catalog: FakeCatalog
    pricing: FakePricing
    inventory: FakeInventory


@pytest.fixture
def shop(db) -> Iterator[Shop]:
    catalog, pricing, inventory = FakeCatalog(), FakePricing(), FakeInventory()
    catalog.variants_add(["TEE-S", "TEE-M"], product_slug="logo-tee", product_name="Logo Tee", category_path="apparel/shirts")
    catalog.variant_add("SOCK-1", product_slug="socks", product_name="Socks", category_path="apparel/socks")
    catalog.variant_add("MUG-1", product_slug="enamel-mug", product_name="Enamel Mug", category_path="home/kitchen")
    catalog.variant_add("PLATE-1", product_slug="plate", product_name="Plate", category_path="home/kitchen")
    for sku, amount in (("TEE-S", "20.00"), ("TEE-M", "18.00"), ("SOCK-1", "5.00"), ("MUG-1", "9.50"), ("PLATE-1", "12.00")):
        pricing.price_set(sku, amount, currency="EUR")
    for sku in ("TEE-S", "TEE-M", "SOCK-1", "MUG-1", "PLATE-1"):
        inventory.stock_set(sku, 10)
    with services_override(catalog=catalog, pricing=pricing, inventory=inventory):
        yield Shop(catalog=catalog, pricing=pricing, inventory=inventory)


_numbers = count(1)


def placed(*skus: str, days_ago: float = 0, number: str | None = None, quantity: int = 1) -> OrderPlaced:
    """Return an OrderPlaced of one of each SKU (``quantity`` each), placed ``days_ago``."""
    lines = tuple(
        OrderLine(sku=sku, name=sku, quantity=quantity, unit_price=Decimal(1), discount=Decimal(0), total=Decimal(quantity)) for sku in skus
    )
    return OrderPlaced(
        order_number=number or f"CO-{next(_numbers)}",
        reservation_reference="",
        email="a@example.com",
        currency="EUR",
        lines=lines,
        subtotal=Decimal(len(skus)),
        discount_total=Decimal(0),
        total=Decimal(len(skus)),
        occurred_at=NOW - timedelta(days=days_ago),
    )


@pytest.fixture
def learn() -> Callable[..., OrderPlaced]:
    """Return ``learn(*skus, days_ago=…)``: an order placed and handed to the module; returns the event."""

    def run(*skus: str, **kwargs: object) -> OrderPlaced:
        event = placed(*skus, **kwargs)  # type: ignore[arg-type]
        handlers.order_placed_learn(event)
        return event

    return run


def cancel(number: str) -> None:
    handlers.order_cancelled_forget(OrderCancelled(order_number=number))
