"""A small shipping set-up: Germany (weight bands, and a flat express), German islands, the USA by subtotal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.shipping import services


@pytest.fixture
def shop(db):
    germany = services.zone_create(name="Germany", areas=[("DE", "", "")])
    islands = services.zone_create(name="German islands", areas=[("DE", "", "18565"), ("DE", "", "25938")])
    usa = services.zone_create(name="USA", areas=[("US", "", "")])
    dhl = services.method_create(
        zone=germany,
        code="dhl-parcel",
        name="DHL Parcel",
        carrier="DHL",
        basis="weight",
        delivery_days_min=1,
        delivery_days_max=3,
    )
    for lower, upper, price in ((0, 1000, "4.90"), (1000, 5000, "6.90"), (5000, 31500, "12.90")):
        services.rate_set(
            method=dhl, currency="EUR", lower=Decimal(lower), upper=Decimal(upper), price=Decimal(price), free_above=Decimal(150)
        )
    express = services.method_create(
        zone=germany, code="express", name="Express", carrier="UPS", delivery_days_min=1, delivery_days_max=1
    )
    services.rate_set(method=express, currency="EUR", price=Decimal("14.90"))
    ferry = services.method_create(zone=islands, code="island-ferry", name="Island delivery", carrier="DHL")
    services.rate_set(method=ferry, currency="EUR", price=Decimal("9.90"))
    ground = services.method_create(zone=usa, code="usps-ground", name="Ground", carrier="USPS", basis="subtotal")
    services.rate_set(method=ground, currency="USD", lower=Decimal(0), upper=Decimal(50), price=Decimal("7.99"))
    services.rate_set(method=ground, currency="USD", lower=Decimal(50), price=Decimal(0))
    return {"germany": germany, "islands": islands, "usa": usa, "dhl": dhl, "express": express}
