"""The shipping contract in memory: methods per country with bands per currency, priced as the module prices them.

It follows the module's rules where the contract states them: only the
destination is checked (the shared ``kernel.addresses`` rule); methods are
listed cheapest first; a band covers ``lower <= value < upper`` of the
method's basis; ``free_above`` makes it free; a weight-based method needs the
weight of every line (``ShippingWeightMissing`` naming the SKUs); a method
that does not apply is ``ShippingMethodUnavailable``. No zone specificity:
a method serves the countries it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.addresses import Address
from contracts.errors import FieldProblem, InvalidInput
from contracts.money import ISO_MINOR_UNITS
from contracts.pricing import UnknownCurrency
from contracts.shipping import RateBasis, ShippableLine, ShippingMethodOption, ShippingMethodUnavailable, ShippingWeightMissing
from kernel.addresses import address_normalize
from tests.fakes.recording import Recording

Bands = Sequence[tuple[str | int, str | int | None, str, str | None]]  # (lower, upper, price, free_above)


@dataclass(slots=True, kw_only=True)
class _Method:
    code: str
    name: str
    carrier: str
    zone: str
    basis: RateBasis
    countries: frozenset[str]
    bands: dict[str, list[tuple[Decimal, Decimal | None, Decimal, Decimal | None]]] = field(default_factory=dict)
    days: tuple[int | None, int | None] = (None, None)
    active: bool = True


class FakeShipping(Recording):
    """Implements ``contracts.shipping.ShippingService``."""

    def __init__(self, *, currencies: Iterable[str] = ("EUR", "USD")) -> None:
        super().__init__()
        self.methods: dict[str, _Method] = {}
        self.currencies = tuple(currencies)

    # --- test set-up ----------------------------------------------------------------------------

    def method_add(
        self,
        code: str,
        *,
        countries: Iterable[str],
        bands: Mapping[str, Bands],
        basis: RateBasis = "flat",
        name: str = "",
        carrier: str = "",
        zone: str = "Zone",
        days: tuple[int | None, int | None] = (None, None),
    ) -> None:
        """Add a method delivering to ``countries``, with its bands per currency: ``{"EUR": [(0, None, "4.90", None)]}``."""
        self.methods[code] = _Method(
            code=code,
            name=name or code,
            carrier=carrier,
            zone=zone,
            basis=basis,
            countries=frozenset(countries),
            days=days,
            bands={
                currency: [
                    (Decimal(lo), None if hi is None else Decimal(hi), Decimal(price), None if free is None else Decimal(free))
                    for lo, hi, price, free in rows
                ]
                for currency, rows in bands.items()
            },
        )

    # --- the rules ------------------------------------------------------------------------------

    def _check(self, *, address: Address, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]) -> Address:
        if currency not in self.currencies:
            raise UnknownCurrency(f"The shop does not sell in {currency!r}.")
        problems = []
        if not isinstance(subtotal, Decimal) or not subtotal.is_finite() or subtotal < 0:
            problems.append(FieldProblem(field="subtotal", code="invalid", detail="An amount, 0 or more."))
        for i, line in enumerate(lines):
            if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or line.quantity < 1:
                problems.append(FieldProblem(field=f"lines.{i}.quantity", code="invalid", detail="1 or more."))
        if problems:
            raise InvalidInput("The shipping request is not valid.", errors=tuple(problems))
        return address_normalize(address, destination_only=True)

    def _priced(self, method: _Method, *, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]) -> Decimal | None:
        if method.basis == "weight":
            missing = tuple(sorted({line.sku for line in lines if line.weight_grams is None}))
            if missing:
                raise ShippingWeightMissing(skus=missing)
            value = Decimal(sum(line.quantity * (line.weight_grams or 0) for line in lines))
        else:
            value = subtotal if method.basis == "subtotal" else Decimal(0)
        for lower, upper, price, free_above in sorted(method.bands.get(currency, []), key=lambda band: band[0]):
            if lower <= value and (upper is None or value < upper):
                amount = Decimal(0) if free_above is not None and subtotal >= free_above else price
                return amount.quantize(Decimal(1).scaleb(-ISO_MINOR_UNITS[currency]))
        return None

    def _option(self, method: _Method, price: Decimal, currency: str) -> ShippingMethodOption:
        return ShippingMethodOption(
            id=method.code,
            name=method.name,
            carrier=method.carrier,
            zone=method.zone,
            basis=method.basis,
            price=price,
            currency=currency,
            delivery_days_min=method.days[0],
            delivery_days_max=method.days[1],
        )

    def _candidates(self, address: Address, currency: str) -> list[_Method]:
        return [m for m in self.methods.values() if m.active and address.country in m.countries and m.bands.get(currency)]

    # --- the contract ---------------------------------------------------------------------------

    def methods_available(
        self, *, address: Address, currency: str, subtotal: Decimal, lines: Sequence[ShippableLine]
    ) -> tuple[ShippingMethodOption, ...]:
        self._enter("methods_available", address=address, currency=currency, subtotal=subtotal, lines=lines)
        address = self._check(address=address, currency=currency, subtotal=subtotal, lines=lines)
        options = []
        for method in self._candidates(address, currency):
            price = self._priced(method, currency=currency, subtotal=subtotal, lines=lines)
            if price is not None:
                options.append(self._option(method, price, currency))
        return tuple(sorted(options, key=lambda o: (o.price, o.name, o.id)))

    def method_quote(
        self,
        *,
        method_id: str,
        address: Address,
        currency: str,
        subtotal: Decimal,
        lines: Sequence[ShippableLine],
    ) -> ShippingMethodOption:
        self._enter("method_quote", method_id=method_id, address=address, currency=currency, subtotal=subtotal, lines=lines)
        address = self._check(address=address, currency=currency, subtotal=subtotal, lines=lines)
        method = self.methods.get(method_id)
        if method is None or method not in self._candidates(address, currency):
            raise ShippingMethodUnavailable(method_id=method_id)
        price = self._priced(method, currency=currency, subtotal=subtotal, lines=lines)
        if price is None:
            raise ShippingMethodUnavailable(method_id=method_id)
        return self._option(method, price, currency)
