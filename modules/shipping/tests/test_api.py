"""The storefront's shipping endpoints over HTTP: where the shop delivers, and an estimate for a destination."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_countries_served_with_what_their_addresses_need(api_client, shop):
    body = api_client.get("/api/v1/shipping/countries/").json()
    assert [c["country"] for c in body["results"]] == ["DE", "US"] and body["count"] == 2
    germany, usa = body["results"]
    assert (germany["regions"], germany["region_required"], germany["postal_code_required"]) == ([], False, True)
    assert {"code": "CA", "name": "California"} in usa["regions"] and usa["region_required"] is True


def test_an_estimate_for_a_destination(api_client, shop):
    response = api_client.get("/api/v1/shipping/methods/?country=de&currency=EUR&subtotal=40&weight_grams=1050")
    assert response.status_code == 200
    assert [(m["id"], m["price"], m["delivery_days_max"]) for m in response.json()["results"]] == [
        ("dhl-parcel", "6.90", 3),
        ("express", "14.90", 1),
    ]
    islands = api_client.get("/api/v1/shipping/methods/?country=DE&postal_code=18565&currency=EUR").json()
    assert [m["id"] for m in islands["results"]] == ["island-ferry"]
    usa = api_client.get("/api/v1/shipping/methods/?country=US&region=Texas&currency=USD&subtotal=60").json()
    assert [(m["id"], m["price"]) for m in usa["results"]] == [("usps-ground", "0.00")]


@pytest.mark.parametrize(
    ("query", "status", "code", "field"),
    [
        ("country=DE&currency=EUR", 422, "weight_missing", "weight_grams"),
        ("country=DE&currency=EUR&postal_code=1011&weight_grams=1", 422, "invalid", "postal_code"),
        ("country=US&region=Narnia&currency=USD", 422, "invalid", "region"),
        ("country=XX&currency=EUR", 422, "invalid", "country"),
        ("country=DEU&currency=EUR", 400, "validation_error", "country"),
        ("country=DE&currency=EUR&weight_grams=-1", 400, "validation_error", "weight_grams"),
        ("country=DE&currency=EUR&subtotal=abc", 400, "validation_error", "subtotal"),
        ("country=DE&currency=XYZ", 400, "unknown_currency", None),
        ("country=DE&currency=EUR&colour=red", 400, "validation_error", "colour"),
    ],
)
def test_bad_queries_are_problems_naming_the_field(api_client, shop, query, status, code, field):
    response = api_client.get(f"/api/v1/shipping/methods/?{query}")
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    if field:
        assert field in {e["field"] for e in body["errors"]}
