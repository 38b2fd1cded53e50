"""The read model learns from events: pairs weighted by recency, popular per category, cancellations, catalog hiding."""

from __future__ import annotations

import pytest

from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from contracts.errors import InvalidInput
from modules.recommendations import handlers
from modules.recommendations.facade import RecommendationsFacade
from modules.recommendations.models import CategorySale, ProductPair
from modules.recommendations.services import sales_purge
from modules.recommendations.tests.conftest import NOW, cancel, placed

facade = RecommendationsFacade()


def slugs(recommendations) -> list[str]:
    return [r.product_slug for r in recommendations]


def test_bought_together_ranks_by_orders_and_recent_orders_weigh_more(shop, learn):
    learn("TEE-S", "MUG-1", days_ago=90)
    learn("TEE-S", "MUG-1", days_ago=80)
    learn("TEE-M", "SOCK-1", days_ago=1)  # one recent order: outweighs two older ones (3 half-lives back)
    together = facade.bought_together_get(product_slug="logo-tee", limit=5)
    assert slugs(together) == ["socks", "enamel-mug"]
    assert together[0].skus == ("SOCK-1",) and together[0].product_name == "Socks"
    assert slugs(facade.bought_together_get(product_slug="enamel-mug", limit=5)) == ["logo-tee"]
    assert facade.bought_together_get(product_slug="enamel-mug", limit=5)[0].skus == ("TEE-M", "TEE-S")  # every size seen sold
    assert facade.bought_together_get(product_slug="never-sold", limit=5) == ()


def test_an_order_counts_once_and_a_cancellation_takes_it_back_once(shop, learn):
    event = learn("TEE-S", "MUG-1", "PLATE-1")
    handlers.order_placed_learn(event)  # redelivered
    assert ProductPair.objects.count() == 6 and set(ProductPair.objects.values_list("orders", flat=True)) == {1}
    learn("TEE-S", "MUG-1")
    cancel(event.order_number)
    cancel(event.order_number)
    assert sorted(ProductPair.objects.values_list("product_id", "other_id", "orders")) == sorted(
        [(a, b, 1) for a, b in ProductPair.objects.values_list("product_id", "other_id")]
    )
    assert ProductPair.objects.count() == 2
    assert slugs(facade.bought_together_get(product_slug="logo-tee", limit=5)) == ["enamel-mug"]
    assert [r.score for r in facade.popular_get(category_slug="home", limit=5)] == [1.0]


def test_a_cancellation_that_arrives_first_keeps_the_order_out(shop, learn):
    cancel("CO-EARLY")
    handlers.order_placed_learn(placed("TEE-S", "MUG-1", number="CO-EARLY"))
    assert ProductPair.objects.count() == 0 and CategorySale.objects.count() == 0


def test_lines_past_the_cap_are_not_considered(shop, learn, settings):
    settings.RECOMMENDATIONS_MAX_ORDER_LINES = 2
    learn("TEE-S", "MUG-1", "PLATE-1", "SOCK-1")
    assert ProductPair.objects.count() == 2  # 2 products: 2 ordered pairs, never 4 × 3


def test_popular_counts_units_in_the_category_and_below_within_the_window(shop, learn, settings):
    settings.RECOMMENDATIONS_POPULAR_WINDOW_DAYS = 30
    learn("MUG-1", quantity=3)
    learn("PLATE-1", quantity=2)
    learn("PLATE-1", quantity=2)
    learn("MUG-1", quantity=50, days_ago=40)  # outside the window
    learn("SOCK-1", "TEE-M")
    assert [(r.product_slug, r.score) for r in facade.popular_get(category_slug="kitchen", limit=5)] == [
        ("plate", 4.0),
        ("enamel-mug", 3.0),
    ]
    assert slugs(facade.popular_get(category_slug="home", limit=1)) == ["plate"]
    assert set(slugs(facade.popular_get(category_slug="apparel", limit=5))) == {"socks", "logo-tee"}
    assert facade.popular_get(category_slug="nowhere", limit=5) == ()
    assert sales_purge() == 2  # the sale outside the window goes (one row per category of its path)


def test_unpublished_products_and_discontinued_variants_are_never_recommended(shop, learn):
    learn("TEE-S", "TEE-M", "MUG-1", "PLATE-1")
    mug = shop.catalog.variants["MUG-1"].product_id
    hidden = ProductUnpublished(product_id=mug, slug="enamel-mug", skus=("MUG-1",), occurred_at=NOW)
    handlers.product_unpublished_hide(hidden)
    # An older publication arriving late changes nothing: the newest word counts.
    handlers.product_published_show(ProductPublished(product_id=mug, slug="enamel-mug", skus=("MUG-1",), occurred_at=placed().occurred_at.replace(year=2020)))
    handlers.variant_discontinued_drop(VariantDiscontinued(sku="TEE-S", product_id=shop.catalog.variants["TEE-S"].product_id))
    assert slugs(facade.bought_together_get(product_slug="plate", limit=5)) == ["logo-tee"]
    assert facade.bought_together_get(product_slug="plate", limit=5)[0].skus == ("TEE-M",)
    handlers.variant_discontinued_drop(VariantDiscontinued(sku="TEE-M", product_id=shop.catalog.variants["TEE-M"].product_id))
    assert slugs(facade.bought_together_get(product_slug="plate", limit=5)) == []
    handlers.product_published_show(ProductPublished(product_id=mug, slug="enamel-mug", skus=("MUG-1",)))
    assert slugs(facade.bought_together_get(product_slug="plate", limit=5)) == ["enamel-mug"]


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": 101}, {"limit": 5, "product_slug": ""}])
def test_bad_input_is_invalid_input(db, kwargs):
    with pytest.raises(InvalidInput):
        facade.bought_together_get(**{"product_slug": "x", **kwargs})


def test_an_order_costs_a_fixed_number_of_statements_whatever_its_lines(shop, learn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    skus = [f"X-{n}" for n in range(20)]
    for n, sku in enumerate(skus):
        shop.catalog.variant_add(sku, product_slug=f"x-{n}", category_path="misc/things")
    counts = []
    for size in (2, 20):
        with CaptureQueriesContext(connection) as queries:
            learn(*skus[:size])
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts  # the order row (get, insert, update), 2 upserts, pairs, sales, savepoints
    assert ProductPair.objects.filter(product_id=shop.catalog.variants["X-0"].product_id).count() == 19
