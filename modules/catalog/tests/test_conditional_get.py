"""Catalog reads carry an ETag and Cache-Control, and answer 304 to a matching If-None-Match."""

from __future__ import annotations

import pytest

from contracts.container import services_override
from contracts.errors import ServiceUnavailable
from tests.fakes.pricing import FakePricing

LIST = "/api/v1/catalog/products/"
CATEGORIES = "/api/v1/catalog/categories/"


@pytest.fixture
def shop(make_product, tree):
    make_product("oxford-shirt", name="Oxford Shirt", skus=["OX-S", "OX-M"], category=tree.shirts)
    make_product("mug", name="Stoneware Mug", skus=["MUG-1"], category=tree.home)


@pytest.mark.parametrize(
    ("path", "params"),
    [(LIST, {}), (LIST, {"currency": "EUR", "page_size": 1}), (LIST + "mug/", {"currency": "EUR"}), (CATEGORIES, {})],
)
def test_conditional_get(api_client, shop, path, params):
    first = api_client.get(path, params)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert first["Cache-Control"] == "public, max-age=1"
    again = api_client.get(path, params, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=1"
    listed = api_client.get(path, params, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert listed.status_code == 304  # weak comparison, any of a list
    other = api_client.get(path, params, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200 and other.content == first.content


def test_the_etag_follows_the_body(api_client, shop, make_product, tree):
    etag = api_client.get(LIST)["ETag"]
    make_product("lamp", name="Table Lamp", skus=["LAMP-1"], category=tree.home)
    changed = api_client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "lamp" in [p["slug"] for p in changed.json()["results"]]


def test_max_age_is_a_setting(api_client, shop, settings):
    settings.CATALOG_HTTP_MAX_AGE = 30
    assert api_client.get(LIST)["Cache-Control"] == "public, max-age=30"


def test_a_degraded_answer_may_not_be_kept(api_client, shop):
    failing = FakePricing()
    failing.fail["prices_get"] = ServiceUnavailable("pricing down")
    with services_override(pricing=failing):
        response = api_client.get(LIST, {"currency": "EUR"})
    assert response["Commerce-Degraded"] == "pricing"
    assert response["Cache-Control"] == "no-store" and response.has_header("ETag")


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [(LIST, {"ordering": "nope"}, 400), (LIST + "nope/", {}, 404), (LIST, {"currency": "eur"}, 400)],
)
def test_errors_carry_no_validators(api_client, shop, path, params, status):
    response = api_client.get(path, params, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == status
    assert not response.has_header("ETag") and "public" not in response.get("Cache-Control", "")
