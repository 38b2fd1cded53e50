"""The storefront's tax rates endpoint over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.taxes import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(db):
    services.tax_rate_set(country="DE", tax_class="standard", rate=Decimal(19))
    services.tax_rate_set(country="DE", tax_class="reduced", rate=Decimal(7))
    services.tax_rate_set(country="US", region="CA", tax_class="standard", rate=Decimal("7.25"))
    services.country_shipping_rule_set(country="US", shipping="exempt")


def test_rates_of_a_destination(api_client, rates, settings):
    settings.TAX_PRICES_INCLUDE_TAX = True
    body = api_client.get("/api/v1/taxes/rates/?country=de").json()
    assert body == {
        "country": "DE",
        "region": "",
        "prices_include_tax": True,
        "taxed": True,
        "rates": [
            {"tax_class": "standard", "rate": "19"},
            {"tax_class": "reduced", "rate": "7"},
            {"tax_class": "zero", "rate": "0"},
        ],
        "shipping_tax": "highest",
    }
    california = api_client.get("/api/v1/taxes/rates/?country=US&region=California").json()
    assert (california["region"], california["rates"][0], california["shipping_tax"]) == (
        "CA",
        {"tax_class": "standard", "rate": "7.25"},
        "exempt",
    )
    oregon = api_client.get("/api/v1/taxes/rates/?country=US&region=OR").json()
    assert oregon["taxed"] is False and {r["rate"] for r in oregon["rates"]} == {"0"}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("country=XX", 422, "country"),
        ("country=US&region=Narnia", 422, "region"),
        ("", 400, "country"),
        ("country=DE&x=1", 400, "x"),
    ],
)
def test_bad_queries_name_the_field(api_client, rates, query, status, field):
    response = api_client.get(f"/api/v1/taxes/rates/?{query}")
    assert response.status_code == status
    assert field in {e["field"] for e in response.json()["errors"]}
