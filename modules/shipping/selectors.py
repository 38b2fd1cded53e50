"""Reads of shipping: the methods that may deliver to an address, with their bands in one currency."""

from __future__ import annotations

from collections.abc import Hashable

from django.db.models import Prefetch, QuerySet

from contracts.addresses import Address
from modules.shipping.models import ShippingMethod, ShippingRate, ShippingZone, ShippingZoneArea
from modules.shipping.rates import Area, zones_matching


def zones_for_address(*, address: Address) -> set[Hashable]:
    """Return the ids of the zones ``address`` falls in (the most specific matches only, see ``rates``)."""
    zones: dict[Hashable, list[Area]] = {}
    for zone_id, country, region, prefix in ShippingZoneArea.objects.filter(country=address.country).values_list(
        "zone_id", "country", "region", "postal_prefix"
    ):
        zones.setdefault(zone_id, []).append(Area(country=country, region=region, postal_prefix=prefix))
    return zones_matching(zones, address)


def methods_for_zones(*, zone_ids: set[Hashable], currency: str, code: str | None = None) -> QuerySet[ShippingMethod]:
    """Return the active methods of those zones (or the one ``code``), each with its bands in ``currency`` as ``bands``."""
    methods = ShippingMethod.objects.filter(zone_id__in=zone_ids, active=True)
    if code is not None:
        methods = methods.filter(code=code)
    return methods.select_related("zone").prefetch_related(
        Prefetch("rates", queryset=ShippingRate.objects.filter(currency=currency).order_by("lower"), to_attr="bands")
    )


def zones_all() -> QuerySet[ShippingZone]:
    return ShippingZone.objects.prefetch_related("areas").order_by("name")


def countries_served() -> list[str]:
    """Return the countries some zone with an active method covers, sorted."""
    return sorted(set(ShippingZoneArea.objects.filter(zone__methods__active=True).values_list("country", flat=True).distinct()))
