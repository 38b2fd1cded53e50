"""Zone matching and band pricing as pure rules (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.addresses import Address
from contracts.shipping import ShippableLine, ShippingWeightMissing
from modules.shipping.rates import Area, Band, band_price, bands_overlap, cart_weight_grams, zones_matching


def to(country: str, region: str = "", postal_code: str = "") -> Address:
    return Address(name="A", line1="1", city="C", country=country, region=region, postal_code=postal_code)


ZONES = {
    "germany": [Area(country="DE")],
    "islands": [Area(country="DE", postal_prefix="18565"), Area(country="DE", postal_prefix="2593")],
    "usa": [Area(country="US")],
    "california": [Area(country="US", region="CA")],
    "sf": [Area(country="US", region="CA", postal_prefix="941")],
}


@pytest.mark.parametrize(
    ("address", "zones"),
    [
        (to("DE", postal_code="10115"), {"germany"}),
        (to("DE", postal_code="18565"), {"islands"}),
        (to("DE", postal_code="25938"), {"islands"}),
        (to("US", "NY", "10001"), {"usa"}),
        (to("US", "CA", "90001"), {"california"}),
        (to("US", "CA", "94103"), {"sf"}),
        (to("FR", postal_code="75001"), set()),
    ],
)
def test_the_most_specific_zone_wins(address, zones):
    assert zones_matching(ZONES, address) == zones


def test_equally_specific_zones_all_match():
    zones = {"a": [Area(country="AT")], "b": [Area(country="AT"), Area(country="CH")]}
    assert zones_matching(zones, to("AT")) == {"a", "b"}


WEIGHT_BANDS = [
    Band(lower=Decimal(0), upper=Decimal(1000), price=Decimal("4.90")),
    Band(lower=Decimal(1000), upper=Decimal(5000), price=Decimal("6.90")),
    Band(lower=Decimal(5000), upper=Decimal(31500), price=Decimal("12.90"), free_above=Decimal("200")),
]


@pytest.mark.parametrize(
    ("grams", "subtotal", "price"),
    [
        (0, "10", "4.90"),
        (999, "10", "4.90"),
        (1000, "10", "6.90"),
        (5000, "10", "12.90"),
        (5000, "200", "0"),
        (31500, "10", None),
    ],
)
def test_weight_bands_are_half_open(grams, subtotal, price):
    got = band_price(basis="weight", bands=WEIGHT_BANDS, subtotal=Decimal(subtotal), weight_grams=grams)
    assert got == (None if price is None else Decimal(price))


def test_subtotal_bands_and_flat_rates():
    bands = [
        Band(lower=Decimal(0), upper=Decimal(50), price=Decimal("4.90")),
        Band(lower=Decimal(50), upper=None, price=Decimal(0)),
    ]
    assert band_price(basis="subtotal", bands=bands, subtotal=Decimal("49.99"), weight_grams=None) == Decimal("4.90")
    assert band_price(basis="subtotal", bands=bands, subtotal=Decimal(50), weight_grams=None) == 0
    flat = [Band(lower=Decimal(0), upper=None, price=Decimal("5.00"), free_above=Decimal(100))]
    assert band_price(basis="flat", bands=flat, subtotal=Decimal("99.99"), weight_grams=None) == Decimal("5.00")
    assert band_price(basis="flat", bands=flat, subtotal=Decimal(100), weight_grams=None) == 0


def test_a_missing_weight_names_every_sku_and_is_never_zero():
    lines = [
        ShippableLine(sku="B", quantity=1),
        ShippableLine(sku="A", quantity=2),
        ShippableLine(sku="C", quantity=3, weight_grams=0),
    ]
    with pytest.raises(ShippingWeightMissing) as raised:
        cart_weight_grams(lines)
    assert raised.value.skus == ("A", "B")
    assert [p.field for p in raised.value.errors] == ["lines.A.weight_grams", "lines.B.weight_grams"]
    assert cart_weight_grams([ShippableLine(sku="A", quantity=3, weight_grams=250)]) == 750


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 50)), max_size=6), st.integers(0, 200))
def test_non_overlapping_bands_price_a_value_by_at_most_one_band(raw, value):
    bands = [Band(lower=Decimal(lo), upper=Decimal(lo + width), price=Decimal(i)) for i, (lo, width) in enumerate(raw)]
    covering = [b for b in bands if b.lower <= value < b.upper]  # type: ignore[operator]
    assert bands_overlap(bands) == any(
        a is not b and a.lower < b.upper and b.lower < a.upper
        for a in bands
        for b in bands  # type: ignore[operator]
    )
    if not bands_overlap(bands):
        got = band_price(basis="subtotal", bands=bands, subtotal=Decimal(value), weight_grams=None)
        assert got == (covering[0].price if covering else None)
