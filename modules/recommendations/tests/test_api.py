"""Storefront API: bought together and popular, with summary, price and stock in one call per module; degraded, not failed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.errors import ServiceUnavailable

TOGETHER = "/api/v1/recommendations/products/{}/"
POPULAR = "/api/v1/recommendations/categories/{}/"


@pytest.fixture
def sold(shop, learn):
    learn("TEE-S", "MUG-1", "PLATE-1", days_ago=2)
    learn("TEE-M", "MUG-1", days_ago=1)
    learn("TEE-S", "SOCK-1", days_ago=10)
    return shop


def test_bought_together_with_prices_and_stock_in_one_call_per_module(api_client, sold):
    answer = api_client.get(TOGETHER.format("logo-tee"), {"currency": "EUR", "limit": 5})
    assert answer.status_code == 200 and "Commerce-Degraded" not in answer
    body = answer.json()
    assert [(r["slug"], r["name"], r["price"], r["in_stock"]) for r in body["results"]] == [
        ("enamel-mug", "Enamel Mug", {"amount": "9.50", "currency": "EUR"}, True),
        ("plate", "Plate", {"amount": "12.00", "currency": "EUR"}, True),
        ("socks", "Socks", {"amount": "5.00", "currency": "EUR"}, True),
    ]
    assert body["degraded"] == []
    assert (sold.catalog.count("variants_get"), sold.pricing.count("prices_get"), sold.inventory.count("availability_get")) == (
        3 + 1,  # three orders learned, one answer
        1,
        1,
    )
    mug = api_client.get(TOGETHER.format("enamel-mug"), {"currency": "EUR"}).json()["results"]
    assert mug[0]["slug"] == "logo-tee" and mug[0]["price"]["amount"] == "18.00"  # the lowest of its sizes


def test_without_a_currency_only_the_summary(api_client, sold):
    body = api_client.get(TOGETHER.format("logo-tee"), {"limit": 1}).json()
    assert body["results"] == [{"id": body["results"][0]["id"], "slug": "enamel-mug", "name": "Enamel Mug", "score": body["results"][0]["score"]}]
    assert sold.pricing.count("prices_get") == 0 and sold.inventory.count("availability_get") == 0


def test_out_of_stock_and_unsellable_products_are_left_out(api_client, sold):
    sold.inventory.stock_set("MUG-1", 0)
    sold.catalog.variant_change("PLATE-1", published=False)  # the catalog's word, before its event arrives
    assert [r["slug"] for r in api_client.get(TOGETHER.format("logo-tee"), {"currency": "EUR"}).json()["results"]] == ["socks"]
    # Without a currency stock is not asked: only what cannot be sold goes.
    assert [r["slug"] for r in api_client.get(TOGETHER.format("logo-tee")).json()["results"]] == ["enamel-mug", "socks"]


def test_popular_in_a_category(api_client, sold):
    body = api_client.get(POPULAR.format("home"), {"currency": "EUR"}).json()
    assert [(r["slug"], r["score"]) for r in body["results"]] == [("enamel-mug", 2.0), ("plate", 1.0)]
    assert api_client.get(POPULAR.format("unknown-category")).json() == {"results": [], "degraded": []}


@pytest.mark.parametrize("down", ["catalog", "pricing", "inventory"])
def test_a_module_that_is_down_degrades_the_answer(api_client, sold, down):
    getattr(sold, down).fail[{"catalog": "variants_get", "pricing": "prices_get", "inventory": "availability_get"}[down]] = (
        ServiceUnavailable(f"{down} down")
    )
    answer = api_client.get(TOGETHER.format("logo-tee"), {"currency": "EUR"})
    assert answer.status_code == 200 and answer["Commerce-Degraded"] == down
    body = answer.json()
    assert body["degraded"] == [down] and [r["slug"] for r in body["results"]] == ["enamel-mug", "plate", "socks"]
    if down == "pricing":
        assert {r["price"] for r in body["results"]} == {None}
    if down == "inventory":
        assert {r["in_stock"] for r in body["results"]} == {None}
    if down == "catalog":  # names as the module saw them sold
        assert body["results"][0]["name"] == "Enamel Mug"


@pytest.mark.parametrize(
    ("url", "params", "code"),
    [
        (TOGETHER.format("Logo_Tee"), {}, "invalid_slug"),
        (TOGETHER.format("x" * 101), {}, "invalid_slug"),
        (TOGETHER.format("logo-tee"), {"limit": "0"}, "invalid_limit"),
        (TOGETHER.format("logo-tee"), {"limit": "101"}, "invalid_limit"),
        (POPULAR.format("home"), {"limit": "ten"}, "invalid_limit"),
        (POPULAR.format("home"), {"currency": "eur"}, "invalid_currency"),
        (POPULAR.format("home"), {"currency": "XXX"}, "unknown_currency"),
        (POPULAR.format("unknown-category"), {"currency": "XXX"}, "unknown_currency"),  # also for an empty answer
    ],
)
def test_bad_input_is_a_problem_document(api_client, sold, url, params, code):
    answer = api_client.get(url, params)
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code


def test_an_answer_costs_a_bounded_number_of_statements(api_client, sold, learn):
    for n in range(30):  # many pairs and sales: the statements do not grow with them
        learn("TEE-S", "MUG-1", "PLATE-1", "SOCK-1", quantity=n + 1)
    for url in (TOGETHER.format("logo-tee"), POPULAR.format("apparel")):
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url, {"currency": "EUR", "limit": 3}).status_code == 200
        # ranking (1, its subqueries inlined) + the products' summaries (1) + their SKUs (1); contracts are fakes here
        assert len(queries) <= 3, [q["sql"] for q in queries]
