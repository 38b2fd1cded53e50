"""Writes of shipping: zones, their areas, methods and rate bands, each checked, each in shipping's transaction.

The admin edits through the models' ``clean()`` (which asks ``rate_problems``
here) and the rate import through ``rate_set``; tests and the demo shop set
up zones through the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from contracts.errors import FieldProblem, InvalidInput
from contracts.money import ISO_MINOR_UNITS
from kernel.addresses import country_known, region_choices
from kernel.transactions import atomic_for
from modules.shipping.models import RateBasis, ShippingMethod, ShippingRate, ShippingZone, ShippingZoneArea
from modules.shipping.rates import Band, bands_overlap


def _amount_problem(field: str, value: Decimal | None, places: int | None, *, allow_none: bool) -> FieldProblem | None:
    if value is None:
        return None if allow_none else FieldProblem(field=field, code="required", detail="Required.")
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        return FieldProblem(field=field, code="invalid", detail="A number, 0 or more.")
    if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
        return FieldProblem(field=field, code="invalid", detail=f"At most {places} decimals in this currency.")
    return None


def rate_problems(
    *,
    method: ShippingMethod | None,
    currency: str,
    lower: Decimal | None,
    upper: Decimal | None,
    price: Decimal | None,
    free_above: Decimal | None,
    exclude_pk: int | None = None,
    check_overlap: bool = True,
) -> list[FieldProblem]:
    """Return what is wrong with a rate band: currency, amounts, band order, and overlap with the method's other bands.

    ``check_overlap=False`` leaves the stored bands out (an import replaces them).
    """
    problems: list[FieldProblem] = []
    if currency not in settings.SHOP_CURRENCIES or currency not in ISO_MINOR_UNITS:
        problems.append(FieldProblem(field="currency", code="unknown_currency", detail="Not a currency the shop sells in."))
        places = None
    else:
        places = ISO_MINOR_UNITS[currency]
    weight = method is not None and method.basis == RateBasis.WEIGHT
    band_places = 0 if weight else places
    for problem in (
        _amount_problem("lower", lower, band_places, allow_none=False),
        _amount_problem("upper", upper, band_places, allow_none=True),
        _amount_problem("price", price, places, allow_none=False),
        _amount_problem("free_above", free_above, places, allow_none=True),
    ):
        if problem:
            problems.append(problem)
    if problems or method is None:
        return problems
    assert lower is not None and price is not None
    if upper is not None and upper <= lower:
        problems.append(FieldProblem(field="upper", code="invalid", detail="Must be above the band's start."))
    if method.basis == RateBasis.FLAT and (lower != 0 or upper is not None):
        problems.append(FieldProblem(field="lower", code="invalid", detail="A flat rate is one band from 0 with no end."))
    if not problems and check_overlap:
        others = ShippingRate.objects.filter(method=method, currency=currency).exclude(pk=exclude_pk).exclude(lower=lower)
        bands = [Band(lower=r.lower, upper=r.upper, price=r.price) for r in others]
        if bands_overlap([*bands, Band(lower=lower, upper=upper, price=price)]):
            problems.append(
                FieldProblem(field="upper", code="overlap", detail="Overlaps another band of this method and currency.")
            )
    return problems


def zone_create(*, name: str, areas: Sequence[tuple[str, str, str]] = ()) -> ShippingZone:
    """Create a zone with its areas, each ``(country, region, postal_prefix)``; refuse unknown countries and regions."""
    problems: list[FieldProblem] = []
    cleaned: list[tuple[str, str, str]] = []
    for i, (country, region, prefix) in enumerate(areas):
        country, region, prefix = country.strip().upper(), region.strip().upper(), "".join(prefix.split()).upper()
        if not country_known(country):
            problems.append(FieldProblem(field=f"areas.{i}.country", code="invalid", detail="Not a known country code."))
            continue
        choices = {code.upper() for code, _ in region_choices(country)}
        if region and region not in choices:  # a country without a list of regions has none to narrow to
            problems.append(FieldProblem(field=f"areas.{i}.region", code="invalid", detail=f"Not a region of {country}."))
        cleaned.append((country, region, prefix))
    if not name.strip():
        problems.append(FieldProblem(field="name", code="required", detail="Required."))
    if problems:
        raise InvalidInput("The zone is not valid.", errors=tuple(problems))
    with atomic_for(ShippingZone):
        zone = ShippingZone.objects.create(name=name.strip())
        ShippingZoneArea.objects.bulk_create(
            [ShippingZoneArea(zone=zone, country=c, region=r, postal_prefix=p) for c, r, p in dict.fromkeys(cleaned)]
        )
    return zone


def method_create(
    *,
    zone: ShippingZone,
    code: str,
    name: str,
    basis: str = RateBasis.FLAT,
    carrier: str = "",
    delivery_days_min: int | None = None,
    delivery_days_max: int | None = None,
    active: bool = True,
) -> ShippingMethod:
    """Create a delivery method of ``zone``; its prices are its rate bands (``rate_set``)."""
    if basis not in RateBasis.values:
        raise InvalidInput("basis", errors=(FieldProblem(field="basis", code="invalid", detail="flat, subtotal or weight."),))
    with atomic_for(ShippingMethod):
        method = ShippingMethod(
            zone=zone,
            code=code,
            name=name,
            basis=basis,
            carrier=carrier,
            delivery_days_min=delivery_days_min,
            delivery_days_max=delivery_days_max,
            active=active,
        )
        method.full_clean()
        method.save()
    return method


def rate_set(
    *,
    method: ShippingMethod,
    currency: str,
    price: Decimal,
    lower: Decimal = Decimal(0),
    upper: Decimal | None = None,
    free_above: Decimal | None = None,
) -> ShippingRate:
    """Create or replace the band of ``method`` in ``currency`` that starts at ``lower``; refuse overlapping bands."""
    with atomic_for(ShippingRate):
        # Lock the method: two writers of its bands queue, so the overlap check sees the other's band.
        ShippingMethod.objects.select_for_update().filter(pk=method.pk).first()
        problems = rate_problems(method=method, currency=currency, lower=lower, upper=upper, price=price, free_above=free_above)
        if problems:
            raise InvalidInput("The rate is not valid.", errors=tuple(problems))
        rate, _ = ShippingRate.objects.update_or_create(
            method=method,
            currency=currency,
            lower=lower,
            defaults={"upper": upper, "price": price, "free_above": free_above},
        )
    return rate
