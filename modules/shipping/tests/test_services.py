"""Shipping's writes refuse what would make the rules ambiguous: overlapping bands, unknown places, bad amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.errors import InvalidInput
from modules.shipping import services
from modules.shipping.models import ShippingRate

pytestmark = pytest.mark.django_db


def fields(raised: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.field: p.code for p in raised.value.errors}


def test_bands_of_one_method_and_currency_may_not_overlap(shop):
    with pytest.raises(InvalidInput) as raised:
        services.rate_set(method=shop["dhl"], currency="EUR", lower=Decimal(500), upper=Decimal(2000), price=Decimal(1))
    assert fields(raised) == {"upper": "overlap"}
    # The same start replaces its band; another currency has bands of its own.
    services.rate_set(method=shop["dhl"], currency="EUR", lower=Decimal(0), upper=Decimal(1000), price=Decimal("5.10"))
    services.rate_set(method=shop["dhl"], currency="USD", lower=Decimal(500), upper=Decimal(2000), price=Decimal(1))
    assert ShippingRate.objects.get(method=shop["dhl"], currency="EUR", lower=0).price == Decimal("5.10")


def test_amounts_follow_the_currency_and_a_flat_rate_is_one_band(shop):
    with pytest.raises(InvalidInput) as raised:
        services.rate_set(method=shop["express"], currency="EUR", price=Decimal("1.001"), free_above=Decimal(-1))
    assert fields(raised) == {"price": "invalid", "free_above": "invalid"}
    with pytest.raises(InvalidInput) as raised:
        services.rate_set(method=shop["express"], currency="EUR", lower=Decimal(10), price=Decimal(1))
    assert fields(raised) == {"lower": "invalid"}
    with pytest.raises(InvalidInput) as raised:
        services.rate_set(method=shop["express"], currency="GBP", price=Decimal(1))
    assert fields(raised) == {"currency": "unknown_currency"}
    with pytest.raises(InvalidInput) as raised:
        services.rate_set(method=shop["dhl"], currency="EUR", lower=Decimal("31500.5"), price=Decimal(1))
    assert fields(raised) == {"lower": "invalid"}  # grams are whole


def test_zones_refuse_unknown_countries_and_regions(db):
    with pytest.raises(InvalidInput) as raised:
        services.zone_create(name=" ", areas=[("XX", "", ""), ("US", "ZZ", ""), ("DE", "BY", "")])
    assert fields(raised) == {
        "areas.0.country": "invalid",
        "areas.1.region": "invalid",
        "areas.2.region": "invalid",
        "name": "required",
    }
    zone = services.zone_create(name="West coast", areas=[("us", "ca", ""), ("US", "OR", ""), ("US", "CA", "")])
    assert sorted(zone.areas.values_list("country", "region")) == [("US", "CA"), ("US", "OR")]
