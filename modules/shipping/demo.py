"""Demo data of the shipping module: Germany, the rest of the EU and the USA, priced by subtotal or flat.

No weight-based method: the demo catalog's variants have no weights yet.
Idempotent: zones, methods and bands that exist are left as they are.
"""

from __future__ import annotations

from decimal import Decimal

from kernel.transactions import atomic_for
from modules.shipping.models import RateBasis, ShippingMethod, ShippingRate, ShippingZone, ShippingZoneArea

EU = ("AT", "BE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE")
# zone: (countries, [(code, name, carrier, basis, days, currency, [(lower, upper, price, free_above)])])
DEMO_ZONES: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "Germany": (
        ("DE",),
        [
            ("dhl-paket", "DHL Paket", "DHL", RateBasis.SUBTOTAL, (1, 3), "EUR", [(0, 50, "4.90", None), (50, None, "0", None)]),
            ("express-de", "Express", "UPS", RateBasis.FLAT, (1, 1), "EUR", [(0, None, "14.90", None)]),
        ],
    ),
    "European Union": (EU, [("eu-standard", "EU Standard", "DHL", RateBasis.FLAT, (3, 6), "EUR", [(0, None, "9.90", "100")])]),
    "USA": (
        ("US",),
        [
            ("usps-ground", "Ground", "USPS", RateBasis.SUBTOTAL, (3, 7), "USD", [(0, 75, "7.99", None), (75, None, "0", None)]),
            ("ups-2day", "2nd Day Air", "UPS", RateBasis.FLAT, (2, 2), "USD", [(0, None, "19.99", None)]),
        ],
    ),
}


def shipping_demo_seed() -> int:
    """Create the demo zones, methods and bands that do not exist yet; return how many methods the demo has."""
    count = 0
    with atomic_for(ShippingZone):
        for zone_name, (countries, methods) in DEMO_ZONES.items():
            zone, _ = ShippingZone.objects.get_or_create(name=zone_name)
            for country in countries:
                ShippingZoneArea.objects.get_or_create(zone=zone, country=country, region="", postal_prefix="")
            for code, name, carrier, basis, (days_min, days_max), currency, bands in methods:
                method, _ = ShippingMethod.objects.get_or_create(
                    code=code,
                    defaults={
                        "zone": zone,
                        "name": name,
                        "carrier": carrier,
                        "basis": basis,
                        "delivery_days_min": days_min,
                        "delivery_days_max": days_max,
                    },
                )
                for lower, upper, price, free_above in bands:
                    ShippingRate.objects.get_or_create(
                        method=method,
                        currency=currency,
                        lower=Decimal(lower),
                        defaults={
                            "upper": None if upper is None else Decimal(upper),
                            "price": Decimal(price),
                            "free_above": None if free_above is None else Decimal(free_above),
                        },
                    )
                count += 1
    return count
