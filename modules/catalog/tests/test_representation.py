"""The storefront serves plain dicts; the serializers (the OpenAPI schema's source) must describe them exactly."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from contracts.errors import ServiceUnavailable
from modules.catalog.api.serializers import ProductSerializer
from modules.catalog.models import Product, ProductMedia
from modules.catalog.selectors.cards import products_with_details
from modules.catalog.selectors.offers import offers_get

LIST = "/api/v1/catalog/products/"


@pytest.fixture
def products(make_product, tree, offers):
    shirt = make_product(
        "oxford-shirt", name="Oxford Shirt", skus=["OX-S", "OX-M", "OX-OLD"], category=tree.shirts, inactive=["OX-OLD"]
    )
    shirt.attributes = {"brand": "Demo & Co.", "sizes": ["S", "M"], "nested": {"a": 1.5, "b": None}}
    shirt.description = "Crisp — cotton ✓"
    shirt.save()
    ProductMedia.objects.create(product=shirt, url="https://img.example/b.jpg", alt="back", position=2)
    ProductMedia.objects.create(product=shirt, url="https://img.example/a.jpg", alt="", position=1)
    make_product("plain", name="Plain Thing", skus=["PLAIN-1"])  # no category, no media, no attributes
    offers.prices_set({"OX-S": Decimal("39.00"), "OX-M": Decimal("12.5")})
    offers.stock_set({"OX-M": 3})
    return offers


def expected(slug: str, currency: str | None) -> dict:
    """Render the product through ``ProductSerializer`` and DRF's JSON renderer, as the schema describes it."""
    product = products_with_details(Product.objects.filter(slug=slug)).get()
    skus = [v.sku for v in product.active_variants]
    offers = offers_get(skus=skus, currency=currency) if currency else None
    return json.loads(JSONRenderer().render(ProductSerializer(product, context={"offers": offers}).data))


def without_degraded(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "degraded"}


@pytest.mark.parametrize("currency", [None, "EUR"])
@pytest.mark.parametrize("failing", [None, "pricing", "inventory"])
def test_served_products_are_what_the_serializer_renders(api_client, products, currency, failing):
    if failing is not None:
        getattr(products, failing).fail[{"pricing": "prices_get", "inventory": "availability_get"}[failing]] = ServiceUnavailable()
    params = {"currency": currency} if currency else {}
    listing = api_client.get(LIST, params).json()["results"]
    for slug in ("oxford-shirt", "plain"):
        want = expected(slug, currency)
        served = next(p for p in listing if p["slug"] == slug)
        assert list(served) == list(want)  # same keys in the same order
        assert served == want
        detail = api_client.get(LIST + f"{slug}/", params).json()
        assert list(without_degraded(detail)) == list(want) and without_degraded(detail) == want


def test_the_orjson_renderer_sends_the_bytes_drf_would():
    import datetime

    from django.utils.translation import gettext_lazy

    from kernel.renderers import ORJSONRenderer

    data = {
        "text": "Crisp — cotton ✓ \"quoted\" \\ \t",
        "amount": Decimal("19.90"),
        "when": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
        "lazy": gettext_lazy("Not found."),
        "nested": [{"a": 1, "b": None, "c": True, "d": 1.5}],
        1: "int key",
    }
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_served_body_is_what_drf_would_render(api_client, products):
    response = api_client.get(LIST, {"currency": "EUR"})
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.json())
