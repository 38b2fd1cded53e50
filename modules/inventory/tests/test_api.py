"""The storefront availability API."""

from __future__ import annotations

import pytest

from contracts.common import SkuQuantity
from modules.inventory.services.reservations import reservation_create

URL = "/api/v1/inventory/availability/"


def test_availability_lists_each_sku_asked_for_once(api_client, receive, django_assert_max_num_queries):
    receive("A", 4)
    receive("B", 1, warehouse="EAST")
    reservation_create(reference="r1", lines=[SkuQuantity(sku="B", quantity=1)])
    with django_assert_max_num_queries(2):
        response = api_client.get(URL, {"sku": ["A", "B", "GHOST", "A"]})
    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            {"sku": "A", "available": 4, "in_stock": True},
            {"sku": "B", "available": 0, "in_stock": False},
            {"sku": "GHOST", "available": 0, "in_stock": False},
        ],
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"sku": ""}, {"sku": "X" * 65}, {"sku": [f"S{i}" for i in range(101)]}],
    ids=["missing", "blank", "too-long", "too-many"],
)
def test_availability_refuses_bad_queries(api_client, db, params):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["field"].startswith("sku")


def test_availability_accepts_a_hundred_skus(api_client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = api_client.get(URL, {"sku": [f"S{i}" for i in range(100)]})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_availability_is_read_only(api_client, db):
    assert api_client.post(URL, {"sku": "A"}, format="json").status_code == 405

