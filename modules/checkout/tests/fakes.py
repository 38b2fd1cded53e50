"""In-memory implementations of the other modules' contracts, for checkout's own tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from contracts.catalog import VariantInfo
from contracts.common import SkuQuantity
from contracts.errors import NotFound
from contracts.inventory import Availability, OutOfStock, Reservation, Shortage
from contracts.pricing import AppliedDiscount, Price, PriceNotFound, Quote, QuoteLine, VoucherInvalid, VoucherRedemption


class FakeCatalog:
    def __init__(self, skus: Mapping[str, str], unsellable: Sequence[str] = ()) -> None:
        self.names = dict(skus)
        self.unsellable = set(unsellable)

    def variants_get(self, *, skus: Sequence[str]) -> dict[str, VariantInfo]:
        return {
            sku: VariantInfo(
                sku=sku,
                product_id=1,
                product_slug=sku.lower(),
                product_name=self.names[sku],
                variant_name="",
                category_path="",
                published=sku not in self.unsellable,
                active=True,
            )
            for sku in skus
            if sku in self.names
        }

    def category_skus_get(self, *, slug: str) -> frozenset[str]:
        return frozenset()


@dataclass
class FakePricing:
    prices: dict[str, Decimal]
    voucher_percent: dict[str, int] = field(default_factory=dict)
    voucher_limit: dict[str, int] = field(default_factory=dict)
    redemptions: dict[str, str] = field(default_factory=dict)  # reference -> code
    fail_redeem: bool = False

    def prices_get(self, *, skus: Sequence[str], currency: str) -> dict[str, Price]:
        return {s: Price(sku=s, currency=currency, amount=self.prices[s]) for s in skus if s in self.prices}

    def quote_create(self, *, currency, lines, voucher_code=None, email=None) -> Quote:
        missing = tuple(line.sku for line in lines if line.sku not in self.prices)
        if missing:
            raise PriceNotFound(skus=missing, currency=currency)
        code = voucher_code.upper() if voucher_code else None
        if code and code not in self.voucher_percent:
            raise VoucherInvalid(reason="unknown")
        percent = self.voucher_percent.get(code, 0) if code else 0
        out = []
        for line in lines:
            gross = self.prices[line.sku] * line.quantity
            discount = (gross * percent / 100).quantize(Decimal("0.01"))
            out.append(QuoteLine(sku=line.sku, quantity=line.quantity, unit_price=self.prices[line.sku], discount=discount, total=gross - discount))
        subtotal = sum((l.unit_price * l.quantity for l in out), Decimal("0.00"))
        discount_total = sum((l.discount for l in out), Decimal("0.00"))
        applied = (AppliedDiscount(kind="voucher", code=code, amount=discount_total),) if code else ()
        return Quote(currency=currency, lines=tuple(out), subtotal=subtotal, discount_total=discount_total, total=subtotal - discount_total, applied=applied, voucher_code=code)

    def voucher_redeem(self, *, code, reference, email, currency, subtotal) -> VoucherRedemption:
        if self.fail_redeem:
            raise VoucherInvalid(reason="exhausted")
        if reference not in self.redemptions:
            used = sum(1 for c in self.redemptions.values() if c == code)
            if used >= self.voucher_limit.get(code, 10**9):
                raise VoucherInvalid(reason="exhausted")
            self.redemptions[reference] = code
        return VoucherRedemption(code=code, reference=reference, email=email)

    def voucher_release(self, *, reference: str) -> None:
        self.redemptions.pop(reference, None)


@dataclass
class FakeInventory:
    on_hand: dict[str, int]
    holds: dict[str, dict] = field(default_factory=dict)  # reference -> {"lines", "state"}
    sold: dict[str, dict[str, int]] = field(default_factory=dict)  # order -> sku -> qty
    fail_reserve: Exception | None = None
    fail_commit: Exception | None = None
    fail_release: Exception | None = None
    reserve_calls: int = 0

    def _held(self, sku: str) -> int:
        return sum(h["lines"].get(sku, 0) for h in self.holds.values() if h["state"] == "active")

    def availability_get(self, *, skus):
        return {s: Availability(sku=s, available=max(self.on_hand.get(s, 0) - self._held(s), 0)) for s in skus}

    def _reservation(self, reference: str) -> Reservation:
        hold = self.holds[reference]
        return Reservation(
            reference=reference,
            state=hold["state"],
            expires_at=datetime.now(UTC) + timedelta(minutes=15),
            lines=tuple(SkuQuantity(sku=s, quantity=q) for s, q in hold["lines"].items()),
        )

    def reservation_create(self, *, reference, lines, ttl_seconds=None) -> Reservation:
        self.reserve_calls += 1
        if self.fail_reserve:
            raise self.fail_reserve
        if reference in self.holds and self.holds[reference]["state"] == "active":
            return self._reservation(reference)
        wanted: dict[str, int] = {}
        for line in lines:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        available = self.availability_get(skus=list(wanted))
        short = tuple(
            Shortage(sku=s, requested=q, available=available[s].available) for s, q in wanted.items() if available[s].available < q
        )
        if short:
            raise OutOfStock(shortages=short)
        self.holds[reference] = {"lines": wanted, "state": "active"}
        return self._reservation(reference)

    def reservation_release(self, *, reference) -> None:
        if self.fail_release:
            raise self.fail_release
        if reference in self.holds and self.holds[reference]["state"] == "active":
            self.holds[reference]["state"] = "released"

    def reservation_commit(self, *, reference, order_number) -> Reservation:
        if self.fail_commit:
            raise self.fail_commit
        if reference not in self.holds:
            raise NotFound()
        hold = self.holds[reference]
        if hold["state"] == "active":
            for sku, qty in hold["lines"].items():
                self.on_hand[sku] -= qty
            self.sold[order_number] = dict(hold["lines"])
            hold["state"] = "committed"
        return self._reservation(reference)

    def order_stock_return(self, *, order_number) -> None:
        for sku, qty in self.sold.pop(order_number, {}).items():
            self.on_hand[sku] += qty

    def active_holds(self) -> int:
        return sum(1 for h in self.holds.values() if h["state"] == "active")
