"""The shipping rules as pure functions: which zone an address falls in, and what a method's bands charge.

No Django here, so the rules are tested as properties without a database.

Zones: an address is in a zone when one of the zone's areas matches it: the
same country, and the area's region (if any) equal to the address's, and
its postal-code prefix (if any) starting the address's postal code
(compared without spaces, case-insensitive). When several zones match,
only the most specific match counts: a postal-code prefix beats a region,
a longer prefix a shorter one, a region the whole country. So a zone "German
islands" (DE, prefixes 18565, 25938...) takes those addresses from a zone
"Germany" (DE).

Rates: a method prices by one basis (flat, order subtotal, total weight in
grams) with bands per currency; a band covers ``lower <= value < upper``
(``upper`` None: no limit). A flat method has one band from 0. The price of
the band that covers the cart applies, or nothing when none does (the method
is unavailable: too heavy, below the first band...). A band's ``free_above``
makes shipping free once the subtotal reaches it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts.addresses import Address
from contracts.shipping import RateBasis, ShippableLine, ShippingWeightMissing


@dataclass(frozen=True, slots=True, kw_only=True)
class Area:
    country: str
    region: str = ""
    postal_prefix: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    lower: Decimal
    upper: Decimal | None
    price: Decimal
    free_above: Decimal | None = None


def _postal(value: str) -> str:
    return "".join(value.split()).upper()


def area_specificity(area: Area, address: Address) -> tuple[int, int] | None:
    """Return how specifically ``area`` matches ``address`` (higher is more specific), or None when it does not."""
    if area.country != address.country:
        return None
    if area.region and area.region.upper() != address.region.upper():
        return None
    prefix = _postal(area.postal_prefix)
    if prefix and not _postal(address.postal_code).startswith(prefix):
        return None
    return (len(prefix), 1 if area.region else 0)


def zones_matching(zones: Mapping[Hashable, Iterable[Area]], address: Address) -> set[Hashable]:
    """Return the zones that match ``address`` most specifically (several only when equally specific)."""
    best: dict[Hashable, tuple[int, int]] = {}
    for zone, areas in zones.items():
        scores = [score for area in areas if (score := area_specificity(area, address)) is not None]
        if scores:
            best[zone] = max(scores)
    if not best:
        return set()
    top = max(best.values())
    return {zone for zone, score in best.items() if score == top}


def cart_weight_grams(lines: Sequence[ShippableLine]) -> int:
    """Return the cart's total weight; raise ``ShippingWeightMissing`` naming every SKU without a weight."""
    missing = tuple(sorted({line.sku for line in lines if line.weight_grams is None}))
    if missing:
        raise ShippingWeightMissing(skus=missing)
    return sum(line.quantity * (line.weight_grams or 0) for line in lines)


def band_price(*, basis: RateBasis, bands: Sequence[Band], subtotal: Decimal, weight_grams: int | None) -> Decimal | None:
    """Return what the band covering the cart charges, or None when no band covers it.

    ``weight_grams`` is only read for the weight basis (where None is a bug of the caller: the weight is checked first).
    """
    if basis == "weight":
        if weight_grams is None:
            raise ValueError("a weight-based rate needs the cart's weight")
        value = Decimal(weight_grams)
    elif basis == "subtotal":
        value = subtotal
    else:
        value = Decimal(0)
    for band in sorted(bands, key=lambda b: b.lower):
        if band.lower <= value and (band.upper is None or value < band.upper):
            if band.free_above is not None and subtotal >= band.free_above:
                return Decimal(0)
            return band.price
    return None


def bands_overlap(bands: Sequence[Band]) -> bool:
    """Say whether any two bands cover a common value (a method's bands in one currency must not)."""
    ordered = sorted(bands, key=lambda b: b.lower)
    return any(a.upper is None or a.upper > b.lower for a, b in zip(ordered, ordered[1:], strict=False))
