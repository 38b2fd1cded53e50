"""The demo shop's shipping: every method priced somewhere, loading twice changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.addresses import Address
from modules.shipping.demo import shipping_demo_seed
from modules.shipping.facade import ShippingFacade
from modules.shipping.models import ShippingRate

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_answers():
    assert shipping_demo_seed() == 5
    bands = ShippingRate.objects.count()
    assert shipping_demo_seed() == 5 and ShippingRate.objects.count() == bands
    paris = Address(name="", line1="", city="", country="FR")
    (standard,) = ShippingFacade().methods_available(address=paris, currency="EUR", subtotal=Decimal(100), lines=[])
    assert (standard.id, standard.price) == ("eu-standard", Decimal("0.00"))
