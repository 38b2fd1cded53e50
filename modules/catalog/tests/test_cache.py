"""The storefront's response cache: served from memory, fresh after every change it must show, never mixed up.

Everything runs through the real modules and the real event bus (deliveries
in-process right after commit), with the TTL raised to a minute so that only
invalidation, never expiry, can explain a fresh answer.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.common import SkuQuantity
from contracts.container import services, services_override
from contracts.errors import ServiceUnavailable
from modules.catalog import services as catalog_services
from modules.catalog.models import Product
from tests.fakes.pricing import FakePricing

LIST = "/api/v1/catalog/products/"


@pytest.fixture
def shop(db, settings):
    settings.CATALOG_CACHE_SECONDS = 60
    call_command("seed_demo", products=30, stdout=StringIO())


def get(api_client, path: str = LIST, **params) -> tuple[dict, int]:
    """Return the body and the number of SQL statements the request ran."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def first_product(body: dict) -> dict:
    return body["results"][0]


def test_a_repeated_request_is_served_from_the_cache(api_client, shop):
    body, cold = get(api_client, currency="EUR", page_size=5)
    again, warm = get(api_client, currency="EUR", page_size=5)
    assert again == body and cold > 0 and warm == 0
    slug = first_product(body)["slug"]
    detail, cold = get(api_client, f"{LIST}{slug}/", currency="EUR")
    assert get(api_client, f"{LIST}{slug}/", currency="EUR") == (detail, 0)


def test_a_price_change_shows_in_the_next_listing(
    api_client, shop, tmp_path, django_capture_on_commit_callbacks
):
    product = first_product(get(api_client, currency="EUR", page_size=5)[0])
    sku = product["variants"][0]["sku"]
    prices = tmp_path / "prices.csv"
    prices.write_text(f"sku,currency,amount,compare_at\n{sku},EUR,1.23,\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_prices", str(prices), stdout=StringIO())
    fresh = first_product(get(api_client, currency="EUR", page_size=5)[0])
    assert fresh["variants"][0]["price"] == {"amount": "1.23", "currency": "EUR"}
    assert fresh["price"] == {"amount": "1.23", "currency": "EUR"}


def test_an_unpublished_product_leaves_the_next_listing(api_client, shop, django_capture_on_commit_callbacks):
    body, _ = get(api_client, currency="EUR", page_size=5)
    slug = first_product(body)["slug"]
    get(api_client, f"{LIST}{slug}/", currency="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.product_unpublish(product=Product.objects.get(slug=slug))
    fresh, _ = get(api_client, currency="EUR", page_size=5)
    assert slug not in [p["slug"] for p in fresh["results"]] and fresh["count"] == body["count"] - 1
    assert api_client.get(f"{LIST}{slug}/", {"currency": "EUR"}).status_code == 404


def test_a_sell_out_shows_in_the_next_listing(api_client, shop, django_capture_on_commit_callbacks):
    product = next(p for p in get(api_client, currency="EUR", page_size=20)[0]["results"] if p["in_stock"])
    lines = [SkuQuantity(sku=v["sku"], quantity=v["available"]) for v in product["variants"] if v["available"]]
    with django_capture_on_commit_callbacks(execute=True):
        services().inventory.reservation_create(reference="catalog-cache-test", lines=lines)
    fresh = next(p for p in get(api_client, currency="EUR", page_size=20)[0]["results"] if p["id"] == product["id"])
    assert fresh["in_stock"] is False and all(v["available"] == 0 for v in fresh["variants"])


def test_a_cached_page_is_never_served_for_another_currency_or_other_parameters(api_client, shop):
    eur, _ = get(api_client, currency="EUR", page_size=3)
    usd, _ = get(api_client, currency="USD", page_size=3)
    assert {p["price"]["currency"] for p in eur["results"]} == {"EUR"}
    assert {p["price"]["currency"] for p in usd["results"]} == {"USD"}
    plain, _ = get(api_client, page_size=3)
    assert "price" not in first_product(plain)
    assert len(get(api_client, currency="EUR", page_size=2)[0]["results"]) == 2
    second, _ = get(api_client, currency="EUR", page_size=3, page=2)
    assert {p["id"] for p in second["results"]}.isdisjoint(p["id"] for p in eur["results"])
    backwards, _ = get(api_client, currency="EUR", page_size=3, ordering="-name")
    assert [p["name"] for p in backwards["results"]] != [p["name"] for p in eur["results"]]
    only_home, _ = get(api_client, currency="EUR", page_size=3, category="home")
    assert only_home["count"] < eur["count"]
    searched, _ = get(api_client, currency="EUR", page_size=3, q="zzz-nothing")
    assert searched["count"] == 0
    assert get(api_client, currency="EUR", page_size=3)[0] == eur  # the first page is still right


def test_the_cache_key_ignores_parameter_order_only(api_client, shop):
    body, _ = get(api_client, currency="EUR", page_size=3)
    with CaptureQueriesContext(connection) as queries:
        reordered = api_client.get(f"{LIST}?page_size=3&currency=EUR").json()
    assert reordered == body and len(queries) == 0


def test_a_degraded_answer_is_never_cached(api_client, shop):
    failing = FakePricing()
    failing.fail["prices_get"] = ServiceUnavailable("pricing down")
    with services_override(pricing=failing):
        response = api_client.get(LIST, {"currency": "EUR", "page_size": 3})
    assert response["Commerce-Degraded"] == "pricing"
    healthy = api_client.get(LIST, {"currency": "EUR", "page_size": 3})
    assert "Commerce-Degraded" not in healthy and healthy.json()["degraded"] == []
    assert first_product(healthy.json())["price"] is not None


def test_the_cache_can_be_turned_off(api_client, shop, settings):
    settings.CATALOG_CACHE_SECONDS = 0
    get(api_client, currency="EUR", page_size=3)
    assert get(api_client, currency="EUR", page_size=3)[1] > 0


def test_price_ordering_ranks_once_and_follows_price_changes(
    api_client, shop, tmp_path, django_capture_on_commit_callbacks
):
    params = {"currency": "EUR", "ordering": "price", "category": "apparel", "page_size": 3}
    first, _ = get(api_client, **params)
    _, second_cost = get(api_client, **params, page=2)
    # Page 2 reuses the ranking: its products with their variants and media (2), its prices (2), its stock (1).
    assert second_cost <= 5
    last = api_client.get(LIST, {**params, "page": first["count"], "page_size": 1}).json()["results"][0]
    prices = tmp_path / "prices.csv"
    prices.write_text("sku,currency,amount,compare_at\n" + "".join(f"{v['sku']},EUR,0.01,\n" for v in last["variants"]))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_prices", str(prices), stdout=StringIO())
    fresh, _ = get(api_client, **params)
    assert first_product(fresh)["id"] == last["id"] and first_product(fresh)["price"]["amount"] == "0.01"
