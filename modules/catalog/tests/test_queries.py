"""One listing page costs the same queries and one call to each other module, whatever its size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.catalog.models import Category, Product, ProductMedia, Variant

LIST = "/api/v1/catalog/products/"


@pytest.fixture
def hundred_and_twenty(db, tree):
    """120 visible products with 3 variants (one discontinued) and 2 images each, in a subcategory."""
    Product.objects.bulk_create(
        Product(
            slug=f"p-{n:03d}",
            name=f"Product {n:03d}",
            category=tree.flannel,
            status=Product.Status.PUBLISHED,
            description="Soft.",
        )
        for n in range(120)
    )
    products = list(Product.objects.all())
    Variant.objects.bulk_create(
        Variant(product=p, sku=f"SKU-{p.pk}-{i}", name=f"V{i}", active=i < 2) for p in products for i in range(3)
    )
    ProductMedia.objects.bulk_create(
        ProductMedia(product=p, url=f"https://img.example/{p.slug}/{i}.jpg", position=i)
        for p in products
        for i in range(2)
    )
    return Category.objects.get(slug="apparel")


def page_cost(api_client, offers, params: dict) -> tuple[int, int, int, list]:
    offers.pricing.calls.clear()
    offers.inventory.calls.clear()
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(LIST, params)
    assert response.status_code == 200, response.content
    return len(queries), len(offers.pricing.calls), len(offers.inventory.calls), response.json()["results"]


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"category": "apparel", "q": "product"},
        {"ordering": "-created"},
        {"ordering": "price"},
        {"ordering": "-price", "category": "flannel"},
    ],
)
def test_a_page_of_100_costs_what_a_page_of_10_costs(api_client, offers, hundred_and_twenty, extra):
    offers.pricing.prices = {v.sku: Decimal(v.pk) for v in Variant.objects.all()}
    offers.inventory.available = {v.sku: v.pk % 3 for v in Variant.objects.all()}
    small = page_cost(api_client, offers, {"currency": "EUR", "page_size": 10, **extra})
    large = page_cost(api_client, offers, {"currency": "EUR", "page_size": 100, **extra})
    assert len(small[3]) == 10 and len(large[3]) == 100
    assert small[:3] == large[:3]
    queries, pricing_calls, inventory_calls, results = large
    assert (pricing_calls, inventory_calls) == (1, 1)
    assert queries <= 6
    assert all(len(p["variants"]) == 2 and len(p["media"]) == 2 and p["price"] for p in results)
    # The inventory call asks for exactly the page's active SKUs.
    assert sorted(offers.inventory.calls[0]) == sorted(v["sku"] for p in results for v in p["variants"])


def test_without_currency_no_other_module_is_called(api_client, offers, hundred_and_twenty):
    small = page_cost(api_client, offers, {"page_size": 10})
    large = page_cost(api_client, offers, {"page_size": 100})
    assert small[:3] == large[:3]
    assert large[1:3] == (0, 0)


def test_detail_costs_one_call_each(api_client, offers, hundred_and_twenty):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(LIST + "p-007/", {"currency": "EUR"})
    assert response.status_code == 200
    assert len(queries) <= 3
    assert (len(offers.pricing.calls), len(offers.inventory.calls)) == (1, 1)
