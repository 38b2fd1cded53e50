from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from types import SimpleNamespace

import pytest

from contracts.container import services_override
from contracts.events import Event
from modules.catalog import services
from modules.catalog.models import Category, Product
from tests.fakes.inventory import FakeInventory
from tests.fakes.pricing import FakePricing


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty response cache: the cache outlives the rolled-back rows of other tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offers(db, settings) -> Iterator[SimpleNamespace]:
    """Serve pricing and inventory with their verified fakes (tests/fakes); set offers with ``prices_set`` / ``stock_set``.

    The fakes publish no events when told new prices or stock, so the response cache is off with them.
    """
    settings.CATALOG_CACHE_SECONDS = 0
    pricing, inventory = FakePricing(), FakeInventory()

    def prices_set(prices: Mapping[str, Decimal]) -> None:
        """Price each SKU at its amount in every currency the shop sells in."""
        for currency in pricing.currencies:
            for sku, amount in prices.items():
                pricing.price_set(sku, amount, currency=currency)

    def stock_set(available: Mapping[str, int]) -> None:
        """Put ``available`` units of each SKU on hand, none held."""
        for sku, quantity in available.items():
            inventory.stock_set(sku, quantity)

    with services_override(pricing=pricing, inventory=inventory):
        yield SimpleNamespace(pricing=pricing, inventory=inventory, prices_set=prices_set, stock_set=stock_set)


@pytest.fixture
def make_product(db):
    """Create a product with variants; published unless told otherwise."""

    def make(
        slug: str,
        *,
        name: str | None = None,
        skus: Sequence[str] = (),
        category: Category | None = None,
        description: str = "",
        published: bool = True,
        inactive: Sequence[str] = (),
    ) -> Product:
        product = services.product_create(
            slug=slug, name=name or slug.replace("-", " ").title(), description=description, category=category
        )
        for sku in skus or (f"{slug.upper()}-1",):
            services.variant_create(product=product, sku=sku, name=f"Variant {sku}", active=sku not in inactive)
        if published:
            services.product_publish(product=product)
        return product

    return make


@pytest.fixture
def tree(db) -> SimpleNamespace:
    """apparel > shirts > flannel, and home."""
    apparel = services.category_create(slug="apparel", name="Apparel")
    shirts = services.category_create(slug="shirts", name="Shirts", parent=apparel)
    flannel = services.category_create(slug="flannel", name="Flannel", parent=shirts)
    home = services.category_create(slug="home", name="Home")
    return SimpleNamespace(apparel=apparel, shirts=shirts, flannel=flannel, home=home)


@pytest.fixture
def received(event_probe) -> list[Event]:
    """Events of the catalog delivered (in-process, after commit) while the test runs."""
    return event_probe("catalog")
