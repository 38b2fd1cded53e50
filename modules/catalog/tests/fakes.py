"""Fakes of the pricing and inventory contracts: they count calls and can be told to fail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from contracts.inventory import Availability
from contracts.pricing import Price, UnknownCurrency


class FakePricing:
    def __init__(
        self, prices: Mapping[str, Decimal] | None = None, *, currencies: Sequence[str] = ("EUR", "USD")
    ) -> None:
        self.prices = dict(prices or {})
        self.currencies = set(currencies)
        self.calls: list[tuple[str, ...]] = []
        self.fail: BaseException | None = None

    def prices_get(self, *, skus: Sequence[str], currency: str) -> Mapping[str, Price]:
        self.calls.append(tuple(skus))
        if self.fail is not None:
            raise self.fail
        if currency not in self.currencies:
            raise UnknownCurrency(f"Unknown currency {currency}.", currency=currency)
        return {s: Price(sku=s, currency=currency, amount=self.prices[s]) for s in skus if s in self.prices}


class FakeInventory:
    def __init__(self, available: Mapping[str, int] | None = None) -> None:
        self.available = dict(available or {})
        self.calls: list[tuple[str, ...]] = []
        self.fail: BaseException | None = None

    def availability_get(self, *, skus: Sequence[str]) -> Mapping[str, Availability]:
        self.calls.append(tuple(skus))
        if self.fail is not None:
            raise self.fail
        return {s: Availability(sku=s, available=self.available.get(s, 0)) for s in skus}
