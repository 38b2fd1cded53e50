"""The storefront catalog API through HTTP: listing, filters, search, ordering, pagination, detail, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.errors import ServiceUnavailable
from modules.catalog import services
from modules.catalog.models import Product, Variant

LIST = "/api/v1/catalog/products/"


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["slug"] for p in response.json()["results"]]


@pytest.fixture
def shop(make_product, tree):
    make_product(
        "oxford-shirt",
        name="Oxford Shirt",
        skus=["OX-S", "OX-M"],
        category=tree.shirts,
        description="Crisp cotton weave.",
    )
    make_product(
        "flannel-shirt", name="Flannel Shirt", skus=["FL-M"], category=tree.flannel, description="Warm and soft."
    )
    make_product("coat", name="Wool Coat", skus=["COAT-1"], category=tree.apparel, description="Heavy wool.")
    make_product(
        "mug",
        name="Stoneware Mug",
        skus=["MUG-1", "MUG-OLD"],
        category=tree.home,
        inactive=["MUG-OLD"],
        description="Holds coffee.",
    )
    make_product("draft-lamp", name="Draft Lamp", skus=["LAMP-1"], category=tree.home, published=False)
    gone = make_product("gone-vase", name="Gone Vase", skus=["VASE-1"], category=tree.home)
    services.variant_deactivate(variant=gone.variants.get())
    return tree


def test_listing_shows_published_products_with_an_active_variant(api_client, shop):
    response = api_client.get(LIST)
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 4
    assert slugs(response) == [
        "flannel-shirt",
        "oxford-shirt",
        "mug",
        "coat",
    ]  # by name: Flannel, Oxford, Stoneware, Wool
    mug = next(p for p in body["results"] if p["slug"] == "mug")
    assert [v["sku"] for v in mug["variants"]] == ["MUG-1"]  # discontinued variants are not shown
    assert set(mug) >= {"id", "slug", "name", "description", "category", "attributes", "variants"}
    assert mug["category"] == "home"
    assert mug["attributes"] == {}
    assert "price" not in mug and "in_stock" not in mug
    assert set(mug["variants"][0]) == {"sku", "name", "attributes"}


def test_category_filter_includes_subcategories(api_client, shop):
    assert sorted(slugs(api_client.get(LIST, {"category": "apparel"}))) == ["coat", "flannel-shirt", "oxford-shirt"]
    assert sorted(slugs(api_client.get(LIST, {"category": "shirts"}))) == ["flannel-shirt", "oxford-shirt"]
    assert slugs(api_client.get(LIST, {"category": "flannel"})) == ["flannel-shirt"]


@pytest.mark.parametrize("category", ["nope", "NOT A SLUG", "a/b", "x" * 500, "bad\x00"])
def test_unknown_category_is_an_empty_result(api_client, shop, category):
    response = api_client.get(LIST, {"category": category})
    assert slugs(response) == []
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("shirt", ["flannel-shirt", "oxford-shirt"]),
        ("SHIRT", ["flannel-shirt", "oxford-shirt"]),
        ("cotton", ["oxford-shirt"]),  # description
        ("ox-m", ["oxford-shirt"]),  # SKU
        ("mug-old", []),  # a discontinued variant's SKU finds nothing
        ("warm shirt", ["flannel-shirt"]),  # every word must match
        ("lamp", []),  # drafts stay hidden
    ],
)
def test_search_over_name_description_and_sku(api_client, shop, q, expected):
    assert sorted(slugs(api_client.get(LIST, {"q": q}))) == expected


@pytest.mark.parametrize("q", ["x" * 100_000, "shirt\x00", "%", "_", "' OR 1=1 --", "🙂" * 1000])
def test_odd_search_text_is_bounded_and_never_a_500(api_client, shop, q):
    assert api_client.get(LIST, {"q": q}).status_code == 200


def test_search_combines_with_category(api_client, shop):
    assert slugs(api_client.get(LIST, {"q": "shirt", "category": "flannel"})) == ["flannel-shirt"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["flannel-shirt", "oxford-shirt", "mug", "coat"]),
        ("-name", ["coat", "mug", "oxford-shirt", "flannel-shirt"]),
        ("created", ["oxford-shirt", "flannel-shirt", "coat", "mug"]),
        ("-created", ["mug", "coat", "flannel-shirt", "oxford-shirt"]),
    ],
)
def test_ordering(api_client, shop, ordering, expected):
    assert slugs(api_client.get(LIST, {"ordering": ordering})) == expected


@pytest.mark.parametrize("ordering", ["price_desc", "name,created", "id", "-", "slug"])
def test_unknown_ordering_is_a_400_naming_the_parameter(api_client, shop, ordering):
    response = api_client.get(LIST, {"ordering": ordering})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_ordering"
    assert [e["field"] for e in body["errors"]] == ["ordering"]


def test_ordering_by_price_needs_a_currency(api_client, shop):
    # Both parameters are well formed; together they break a rule the schema cannot state: 422, not 400.
    response = api_client.get(LIST, {"ordering": "price"})
    assert response.status_code == 422
    assert response.json()["code"] == "currency_required"
    assert [e["field"] for e in response.json()["errors"]] == ["currency"]


def test_ordering_by_price_is_global_across_pages(api_client, shop, offers):
    offers.prices_set({
        "OX-S": Decimal("39.00"),
        "OX-M": Decimal("12.00"),
        "FL-M": Decimal("25.00"),
        "MUG-1": Decimal("8.50"),
    })  # COAT-1 has no EUR price: it comes last either way
    pages = [
        slugs(api_client.get(LIST, {"ordering": "price", "currency": "EUR", "page_size": 2, "page": n})) for n in (1, 2)
    ]
    assert pages == [["mug", "oxford-shirt"], ["flannel-shirt", "coat"]]
    assert offers.pricing.count("prices_get") == 2  # one per page
    assert slugs(api_client.get(LIST, {"ordering": "-price", "currency": "EUR"})) == [
        "flannel-shirt",
        "oxford-shirt",
        "mug",
        "coat",
    ]


def test_ordering_by_price_refuses_a_too_broad_listing(api_client, shop, offers, settings):
    settings.CATALOG_PRICE_ORDERING_MAX_SKUS = 3
    response = api_client.get(LIST, {"ordering": "price", "currency": "EUR"})
    assert response.status_code == 422
    assert response.json()["code"] == "ordering_too_broad"
    assert [e["field"] for e in response.json()["errors"]] == ["ordering"]
    assert slugs(api_client.get(LIST, {"ordering": "price", "currency": "EUR", "category": "shirts"})) == [
        "flannel-shirt",
        "oxford-shirt",
    ]


def test_pagination(api_client, shop):
    first = api_client.get(LIST, {"page_size": 3}).json()
    assert first["count"] == 4 and len(first["results"]) == 3 and first["previous"] is None
    assert "page=2" in first["next"]
    second = api_client.get(first["next"]).json()
    assert [p["slug"] for p in second["results"]] == ["coat"] and second["next"] is None


def test_page_size_is_clamped_to_100(api_client, make_product):
    products = [Product(slug=f"p-{n:03d}", name=f"P {n:03d}", status=Product.Status.PUBLISHED) for n in range(105)]
    Product.objects.bulk_create(products)
    Variant.objects.bulk_create([Variant(product=p, sku=f"P-{p.slug}", name="One") for p in Product.objects.all()])
    services.products_listed_refresh(product_ids=Product.objects.values_list("pk", flat=True))
    body = api_client.get(LIST, {"page_size": 1000}).json()
    assert body["count"] == 105 and len(body["results"]) == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "x"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
    ],
)
def test_bad_page_numbers_are_a_400_naming_the_parameter(api_client, shop, params, field):
    response = api_client.get(LIST, params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("currency", ["EURO", "E1", "€€€", "x" * 100, "eur"])
def test_malformed_currency_is_a_400(api_client, shop, offers, currency):
    response = api_client.get(LIST, {"currency": currency})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_currency"
    assert [e["field"] for e in response.json()["errors"]] == ["currency"]
    assert offers.pricing.calls == []


def test_unknown_currency_is_a_400_from_pricing(api_client, shop, offers):
    response = api_client.get(LIST, {"currency": "JPY"})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_currency"
    assert api_client.get(LIST + "oxford-shirt/", {"currency": "JPY"}).status_code == 400


def test_currency_adds_prices_and_availability(api_client, shop, offers):
    offers.prices_set({"OX-S": Decimal("39.00"), "OX-M": Decimal("29.90"), "MUG-1": Decimal("8.50")})
    offers.stock_set({"OX-S": 0, "OX-M": 3, "MUG-1": 0})
    response = api_client.get(LIST, {"currency": "EUR"})
    body = response.json()
    assert body["degraded"] == [] and "Commerce-Degraded" not in response
    by_slug = {p["slug"]: p for p in body["results"]}
    oxford = by_slug["oxford-shirt"]
    assert oxford["price"] == {"amount": "29.90", "currency": "EUR"}  # the lowest variant price, as a string
    assert oxford["in_stock"] is True
    assert {v["sku"]: (v["price"], v["available"]) for v in oxford["variants"]} == {
        "OX-S": ({"amount": "39.00", "currency": "EUR"}, 0),
        "OX-M": ({"amount": "29.90", "currency": "EUR"}, 3),
    }
    assert by_slug["mug"]["in_stock"] is False
    assert by_slug["coat"]["price"] is None  # no price in this currency
    assert offers.pricing.count("prices_get") == 1 and offers.inventory.count("availability_get") == 1
    assert sorted(offers.pricing.called("prices_get")[0]["skus"]) == ["COAT-1", "FL-M", "MUG-1", "OX-M", "OX-S"]


@pytest.mark.parametrize("failure", [ServiceUnavailable("pricing timed out"), TimeoutError(), RuntimeError("bug")])
def test_listing_answers_without_prices_when_pricing_fails(api_client, shop, offers, failure, caplog):
    offers.pricing.fail["prices_get"] = failure
    offers.stock_set({"OX-M": 2})
    response = api_client.get(LIST, {"currency": "EUR"})
    assert response.status_code == 200
    assert response["Commerce-Degraded"] == "pricing"
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"} and body["count"] == 4
    assert body["degraded"] == ["pricing"]
    oxford = next(p for p in body["results"] if p["slug"] == "oxford-shirt")
    assert oxford["price"] is None and oxford["in_stock"] is True
    assert all(v["price"] is None for v in oxford["variants"])
    assert "pricing failed" in caplog.text


def test_listing_answers_without_availability_when_inventory_fails(api_client, shop, offers):
    offers.prices_set({"OX-M": Decimal("29.90")})
    offers.inventory.fail["availability_get"] = ServiceUnavailable("inventory timed out")
    response = api_client.get(LIST, {"currency": "EUR"})
    assert response.status_code == 200
    assert response["Commerce-Degraded"] == "inventory"
    oxford = next(p for p in response.json()["results"] if p["slug"] == "oxford-shirt")
    assert oxford["price"] == {"amount": "29.90", "currency": "EUR"}
    assert oxford["in_stock"] is None and all(v["available"] is None for v in oxford["variants"])


def test_both_modules_down_still_answers(api_client, shop, offers):
    offers.pricing.fail["prices_get"] = TimeoutError()
    offers.inventory.fail["availability_get"] = ConnectionError()
    response = api_client.get(LIST, {"currency": "EUR"})
    assert response.status_code == 200
    assert response["Commerce-Degraded"] == "pricing, inventory"
    assert response.json()["degraded"] == ["pricing", "inventory"]


def test_price_ordering_falls_back_to_name_when_pricing_fails(api_client, shop, offers):
    offers.pricing.fail["prices_get"] = ServiceUnavailable()
    response = api_client.get(LIST, {"currency": "EUR", "ordering": "-price"})
    assert slugs(response) == ["flannel-shirt", "oxford-shirt", "mug", "coat"]
    assert response["Commerce-Degraded"] == "pricing"
    assert offers.pricing.count("prices_get") == 1


def test_detail(api_client, shop):
    response = api_client.get(LIST + "oxford-shirt/")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "oxford-shirt" and body["category"] == "shirts"
    assert [v["sku"] for v in body["variants"]] == ["OX-S", "OX-M"]


def test_detail_with_currency_and_degraded(api_client, shop, offers):
    offers.prices_set({"MUG-1": Decimal("8.50")})
    offers.stock_set({"MUG-1": 4})
    body = api_client.get(LIST + "mug/", {"currency": "USD"}).json()
    assert body["price"] == {"amount": "8.50", "currency": "USD"} and body["in_stock"] is True
    assert body["variants"] == [
        {
            "sku": "MUG-1",
            "name": "Variant MUG-1",
            "attributes": {},
            "price": {"amount": "8.50", "currency": "USD"},
            "available": 4,
        }
    ]
    offers.pricing.fail["prices_get"] = ServiceUnavailable()
    response = api_client.get(LIST + "mug/", {"currency": "USD"})
    assert response.status_code == 200 and response["Commerce-Degraded"] == "pricing"
    assert response.json()["price"] is None and response.json()["degraded"] == ["pricing"]


@pytest.mark.parametrize("slug", ["draft-lamp", "gone-vase", "nope", "MUG", "x" * 300, "mug%00", "m%20ug"])
def test_detail_is_404_when_unpublished_unsellable_or_unknown(api_client, shop, slug):
    response = api_client.get(LIST + slug + "/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_unpublishing_hides_a_product(api_client, shop):
    services.product_unpublish(product=Product.objects.get(slug="coat"))
    assert "coat" not in slugs(api_client.get(LIST))
    assert api_client.get(LIST + "coat/").status_code == 404


def test_categories_tree(api_client, shop):
    body = api_client.get("/api/v1/catalog/categories/").json()
    assert [(c["slug"], c["name"], c["parent"]) for c in body["results"]] == [
        ("apparel", "Apparel", None),
        ("shirts", "Shirts", "apparel"),
        ("flannel", "Flannel", "shirts"),
        ("home", "Home", None),
    ]
    assert body["results"][2]["path"] == "apparel/shirts/flannel"
