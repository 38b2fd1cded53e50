"""Demo data: realistic, deterministic, idempotent and fast."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.catalog.demo import catalog_demo_seed
from modules.catalog.models import Category, Product, ProductMedia, Variant


def test_seed_builds_a_shop_and_a_second_run_adds_nothing(db):
    skus = catalog_demo_seed()
    assert Product.objects.count() == 200
    assert len(skus) == len(set(skus)) == Variant.objects.count()
    assert 200 < len(skus) <= 800
    assert Category.objects.filter(path__regex=r"^[^/]+/[^/]+/[^/]+$").exists()  # three levels
    assert Product.objects.filter(status="published").count() > 180
    assert ProductMedia.objects.count() == 200
    counts = (Product.objects.count(), Variant.objects.count(), Category.objects.count(), ProductMedia.objects.count())
    with CaptureQueriesContext(connection) as queries:
        assert catalog_demo_seed() == skus  # deterministic
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert (
        Product.objects.count(),
        Variant.objects.count(),
        Category.objects.count(),
        ProductMedia.objects.count(),
    ) == counts


def test_a_larger_seed_only_adds_the_missing_products(db):
    small = catalog_demo_seed(products=20)
    large = catalog_demo_seed(products=50)
    assert large[: len(small)] == small
    assert Product.objects.count() == 50


def test_the_storefront_shows_the_demo_shop(db, api_client):
    catalog_demo_seed(products=60)
    body = api_client.get("/api/v1/catalog/products/", {"category": "apparel", "page_size": 100}).json()
    assert body["count"] > 10
    assert all(p["variants"] for p in body["results"])


def test_seeding_is_fast(db):
    started = time.monotonic()
    catalog_demo_seed(products=2000)
    assert time.monotonic() - started < 10  # 10,000 products take a few seconds
