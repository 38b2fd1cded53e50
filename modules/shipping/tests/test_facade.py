"""The shipping contract through its facade: methods for an address and a cart, priced; a method quoted again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.addresses import Address
from contracts.errors import InvalidInput
from contracts.pricing import UnknownCurrency
from contracts.shipping import ShippableLine, ShippingMethodUnavailable, ShippingWeightMissing
from modules.shipping.facade import ShippingFacade

BERLIN = Address(name="Ada", line1="1 Main St", city="Berlin", postal_code="10115", country="DE")
RUEGEN = Address(name="Ada", line1="1 Strand", city="Binz", postal_code="18565", country="DE")
AUSTIN = Address(name="Ada", line1="1 Main St", city="Austin", region="Texas", postal_code="73301", country="US")
BOOK = ShippableLine(sku="BOOK", quantity=2, weight_grams=400)
SHIRT = ShippableLine(sku="SHIRT", quantity=1, weight_grams=250)

pytestmark = pytest.mark.django_db


def available(address: Address, currency: str = "EUR", subtotal: str = "40", lines=(BOOK, SHIRT)):
    return ShippingFacade().methods_available(address=address, currency=currency, subtotal=Decimal(subtotal), lines=list(lines))


def test_methods_for_an_address_are_priced_for_the_cart_cheapest_first(shop):
    methods = available(BERLIN)
    assert [(m.id, m.price) for m in methods] == [("dhl-parcel", Decimal("6.90")), ("express", Decimal("14.90"))]
    dhl = methods[0]
    assert (dhl.name, dhl.carrier, dhl.zone, dhl.basis, dhl.currency) == ("DHL Parcel", "DHL", "Germany", "weight", "EUR")
    assert (dhl.delivery_days_min, dhl.delivery_days_max) == (1, 3)
    assert str(dhl.price) == "6.90"  # in the currency's minor units, not the stored 6.900


def test_a_lighter_cart_and_a_larger_subtotal_change_the_price(shop):
    assert available(BERLIN, lines=[SHIRT])[0].price == Decimal("4.90")
    assert available(BERLIN, subtotal="150")[0].price == 0  # free above 150 EUR


def test_the_most_specific_zone_answers(shop):
    assert [m.id for m in available(RUEGEN)] == ["island-ferry"]


def test_methods_exist_only_in_the_currencies_they_have_rates_for(shop):
    assert available(BERLIN, currency="USD") == ()
    assert [(m.id, m.price) for m in available(AUSTIN, currency="USD", subtotal="49.99")] == [("usps-ground", Decimal("7.99"))]
    assert available(AUSTIN, currency="USD", subtotal="50")[0].price == 0
    assert available(Address(name="A", line1="1", city="Paris", postal_code="75001", country="FR")) == ()


def test_a_weight_based_method_needs_every_weight(shop):
    with pytest.raises(ShippingWeightMissing) as raised:
        available(BERLIN, lines=[BOOK, ShippableLine(sku="GIFT-CARD", quantity=1)])
    assert raised.value.skus == ("GIFT-CARD",)
    # No weight-based method for the US: a line without weight is fine there.
    assert available(AUSTIN, currency="USD", lines=[ShippableLine(sku="GIFT-CARD", quantity=1)])


def test_a_quote_answers_what_the_list_showed_or_refuses_the_method(shop):
    facade = ShippingFacade()
    quote = facade.method_quote(method_id="dhl-parcel", address=BERLIN, currency="EUR", subtotal=Decimal(40), lines=[BOOK, SHIRT])
    assert quote == available(BERLIN)[0]
    for method_id, address in (("island-ferry", BERLIN), ("dhl-parcel", RUEGEN), ("nope", BERLIN), ("", BERLIN)):
        with pytest.raises(ShippingMethodUnavailable) as raised:
            facade.method_quote(method_id=method_id, address=address, currency="EUR", subtotal=Decimal(40), lines=[BOOK])
        assert raised.value.code == "shipping_method_unavailable"
        assert [p.field for p in raised.value.errors] == ["shipping_method"]


def test_an_inactive_method_or_a_cart_beyond_the_bands_is_unavailable(shop):
    shop["express"].active = False
    shop["express"].save()
    heavy = ShippableLine(sku="ANVIL", quantity=1, weight_grams=40000)
    assert available(BERLIN, lines=[heavy]) == ()
    with pytest.raises(ShippingMethodUnavailable):
        ShippingFacade().method_quote(method_id="express", address=BERLIN, currency="EUR", subtotal=Decimal(1), lines=[])


def test_bad_input_names_the_field(shop):
    with pytest.raises(InvalidInput) as raised:
        available(Address(name="Ada", line1="1", city="Berlin", postal_code="1011", country="DE"))
    assert [p.field for p in raised.value.errors] == ["postal_code"]
    with pytest.raises(UnknownCurrency):
        available(BERLIN, currency="XYZ")
    with pytest.raises(InvalidInput) as raised:
        available(BERLIN, subtotal="-1", lines=[ShippableLine(sku="BOOK", quantity=0), ShippableLine(sku="x y", quantity=1)])
    assert [p.field for p in raised.value.errors] == ["subtotal", "lines.0.quantity", "lines.1.sku"]


def test_a_country_alone_is_enough_to_list_methods(shop):
    germany = Address(name="", line1="", city="", country="de")
    assert [m.id for m in available(germany)] == ["dhl-parcel", "express"]
    with pytest.raises(InvalidInput) as raised:
        available(Address(name="", line1="", city="", country="US", region="Narnia"), currency="USD")
    assert [p.field for p in raised.value.errors] == ["region"]
