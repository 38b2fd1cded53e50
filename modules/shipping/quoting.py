"""What shipping a cart costs: the methods that deliver it to an address, each priced by its bands.

A read: it checks the call (address, currency, subtotal, lines), asks
``selectors`` for the candidates and ``rates`` for the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from contracts.addresses import Address
from contracts.common import sku_valid
from contracts.errors import FieldProblem, InvalidInput
from contracts.money import ISO_MINOR_UNITS
from contracts.pricing import UnknownCurrency
from contracts.shipping import ShippableLine, ShippingMethodUnavailable
from kernel.addresses import address_normalize
from modules.shipping import selectors
from modules.shipping.models import RateBasis, ShippingMethod
from modules.shipping.rates import Band, band_price, cart_weight_grams

MAX_LINES = 1000


def _call_check(*, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]) -> None:
    if not isinstance(currency, str) or currency not in settings.SHOP_CURRENCIES or currency not in ISO_MINOR_UNITS:
        raise UnknownCurrency(f"The shop does not sell in {currency!r}.")
    problems: list[FieldProblem] = []
    if not isinstance(subtotal, Decimal) or not subtotal.is_finite() or subtotal < 0:
        problems.append(FieldProblem(field="subtotal", code="invalid", detail="An amount, 0 or more."))
    if not isinstance(lines, Sequence) or isinstance(lines, str) or len(lines) > MAX_LINES:
        problems.append(FieldProblem(field="lines", code="invalid", detail=f"A list of at most {MAX_LINES} lines."))
    else:
        for i, line in enumerate(lines):
            if not isinstance(line, ShippableLine) or not sku_valid(line.sku):
                problems.append(FieldProblem(field=f"lines.{i}.sku", code="invalid", detail="Not a SKU."))
            elif isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or line.quantity < 1:
                problems.append(FieldProblem(field=f"lines.{i}.quantity", code="invalid", detail="A whole number, 1 or more."))
            elif line.weight_grams is not None and (
                isinstance(line.weight_grams, bool) or not isinstance(line.weight_grams, int) or line.weight_grams < 0
            ):
                problems.append(FieldProblem(field=f"lines.{i}.weight_grams", code="invalid", detail="Whole grams, 0 or more."))
    if problems:
        raise InvalidInput("The shipping request is not valid.", errors=tuple(problems))


def _priced(
    methods: Sequence[ShippingMethod], *, subtotal: Decimal, lines: Sequence[ShippableLine]
) -> list[tuple[ShippingMethod, Decimal]]:
    priced = [m for m in methods if m.bands]  # type: ignore[attr-defined]
    weight = cart_weight_grams(lines) if any(m.basis == RateBasis.WEIGHT for m in priced) else None
    answer = []
    for method in priced:
        bands = [Band(lower=r.lower, upper=r.upper, price=r.price, free_above=r.free_above) for r in method.bands]  # type: ignore[attr-defined]
        price = band_price(basis=method.basis, bands=bands, subtotal=subtotal, weight_grams=weight)  # type: ignore[arg-type]
        if price is not None:
            answer.append((method, price))
    return answer


def methods_available(
    *, address: Address, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]
) -> tuple[Address, list[tuple[ShippingMethod, Decimal]]]:
    """Return the normalized address and the methods that deliver the cart there, priced, cheapest first."""
    _call_check(currency=currency, subtotal=subtotal, lines=lines)
    address = address_normalize(address, destination_only=True)
    zone_ids = selectors.zones_for_address(address=address)
    methods = list(selectors.methods_for_zones(zone_ids=zone_ids, currency=currency)) if zone_ids else []
    priced = _priced(methods, subtotal=subtotal, lines=lines)
    return address, sorted(priced, key=lambda pair: (pair[1], pair[0].name, pair[0].code))


def method_quote(
    *, method_id: str, address: Address, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]
) -> tuple[ShippingMethod, Decimal]:
    """Return the method ``method_id`` priced for the cart; raise ``ShippingMethodUnavailable`` when it does not apply."""
    if not isinstance(method_id, str) or not method_id or len(method_id) > 64:
        raise ShippingMethodUnavailable(method_id=str(method_id)[:64])
    _call_check(currency=currency, subtotal=subtotal, lines=lines)
    address = address_normalize(address, destination_only=True)
    zone_ids = selectors.zones_for_address(address=address)
    methods = list(selectors.methods_for_zones(zone_ids=zone_ids, currency=currency, code=method_id)) if zone_ids else []
    priced = _priced(methods, subtotal=subtotal, lines=lines)
    if not priced:
        raise ShippingMethodUnavailable(method_id=method_id)
    return priced[0]
