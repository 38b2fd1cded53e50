"""The inventory contract in memory: stock a test sets, holds with their states, sales per order.

It follows the module's rules where the contract states them: all lines or
none, every short SKU listed (an unknown one with 0 available), an active
hold of the same reference returned only for the same lines, a committed one
never held again, released or committed-elsewhere holds refused at commit, an
expired hold committed only while its stock is still free, and a hold past
its expiry counting for nothing. One warehouse; no events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts.common import SKU_MAX_LENGTH, SkuQuantity
from contracts.errors import FieldProblem, InvalidInput, NotFound
from contracts.inventory import (
    Availability,
    OutOfStock,
    Reservation,
    ReservationConflict,
    ReservationState,
    Shortage,
)
from tests.fakes.recording import Recording

REFERENCE_MAX_LENGTH = 100
QUANTITY_MAX = 1_000_000
RESERVATION_LINES_MAX = 500
TTL_SECONDS = 15 * 60
TTL_MAX_SECONDS = 7 * 24 * 60 * 60


@dataclass(slots=True, kw_only=True)
class Hold:
    lines: dict[str, int]
    state: ReservationState
    expires_at: datetime
    order_number: str = ""
    returned: bool = False


def _problem(field_name: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(f"{field_name}: {detail}", errors=(FieldProblem(field=field_name, code=code, detail=detail),))


def _text_check(value: object, *, field_name: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise _problem(field_name, "invalid", "Must be a non-empty string without surrounding spaces.")
    if len(value) > max_length:
        raise _problem(field_name, "too_long", f"At most {max_length} characters.")
    return value


def _quantity_check(value: object, *, field_name: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _problem(field_name, "invalid_quantity", f"Must be a whole number from {minimum} to {maximum}.")
    return value


def _lines_normalize(lines: object) -> dict[str, int]:
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence) or not lines:
        raise _problem("lines", "required", "At least one line is required.")
    if len(lines) > RESERVATION_LINES_MAX:
        raise _problem("lines", "too_many", f"At most {RESERVATION_LINES_MAX} lines.")
    wanted: dict[str, int] = {}
    for index, line in enumerate(lines):
        if not isinstance(line, SkuQuantity):
            raise _problem(f"lines[{index}]", "invalid", "Must be a SkuQuantity.")
        sku = _text_check(line.sku, field_name=f"lines[{index}].sku", max_length=SKU_MAX_LENGTH)
        quantity = _quantity_check(line.quantity, field_name=f"lines[{index}].quantity", minimum=1, maximum=QUANTITY_MAX)
        wanted[sku] = wanted.get(sku, 0) + quantity
    for sku, quantity in wanted.items():
        if quantity > QUANTITY_MAX:
            raise _problem("lines", "invalid_quantity", f"{sku}: at most {QUANTITY_MAX} in all.")
    return dict(sorted(wanted.items()))


class FakeInventory(Recording):
    """Implements ``contracts.inventory.InventoryService``; ``now`` is its clock (a test may move it)."""

    def __init__(self, on_hand: Mapping[str, int] | None = None, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.on_hand: dict[str, int] = dict(on_hand or {})
        self.holds: dict[str, Hold] = {}  # reference -> its hold, whatever its state
        self.now = now or (lambda: datetime.now(UTC))

    # --- set-up and inspection -------------------------------------------------

    def stock_set(self, sku: str, on_hand: int) -> None:
        self.on_hand[sku] = on_hand

    def active_holds(self) -> int:
        """Return how many holds count against the stock now."""
        now = self.now()
        return sum(1 for hold in self.holds.values() if self._holds(hold, now))

    # --- the contract --------------------------------------------------------

    def availability_get(self, *, skus: Sequence[str]) -> Mapping[str, Availability]:
        skus = skus if isinstance(skus, str) else list(skus)  # a caller may hand over any iterable: read it once
        self._enter("availability_get", skus=tuple(skus) if not isinstance(skus, str) else skus)
        if isinstance(skus, str) or not all(isinstance(sku, str) for sku in skus):
            raise _problem("skus", "invalid", "Must be a list of strings.")
        return {sku: Availability(sku=sku, available=self._available(sku)) for sku in skus}

    def reservation_create(self, *, reference: str, lines: Sequence[SkuQuantity], ttl_seconds: int | None = None) -> Reservation:
        self._enter("reservation_create", reference=reference, lines=tuple(lines), ttl_seconds=ttl_seconds)
        _text_check(reference, field_name="reference", max_length=REFERENCE_MAX_LENGTH)
        wanted = _lines_normalize(lines)
        ttl = TTL_SECONDS if ttl_seconds is None else ttl_seconds
        _quantity_check(ttl, field_name="ttl_seconds", minimum=1, maximum=TTL_MAX_SECONDS)
        now = self.now()
        hold = self.holds.get(reference)
        if hold is not None:
            if hold.state == "committed":
                raise ReservationConflict(f"Reservation {reference} is already committed.", code="reservation_committed")
            if self._holds(hold, now):
                if hold.lines != wanted:
                    raise ReservationConflict(
                        f"Reservation {reference} already holds other lines; release it first.", code="reservation_mismatch"
                    )
                return self._reservation(reference)
        shortages = tuple(
            Shortage(sku=sku, requested=quantity, available=self._available(sku))
            for sku, quantity in wanted.items()
            if self._available(sku) < quantity
        )
        if shortages:
            raise OutOfStock(shortages=shortages)
        self.holds[reference] = Hold(lines=wanted, state="active", expires_at=now + timedelta(seconds=ttl))
        return self._reservation(reference)

    def reservation_release(self, *, reference: str) -> None:
        self._enter("reservation_release", reference=reference)
        _text_check(reference, field_name="reference", max_length=REFERENCE_MAX_LENGTH)
        hold = self.holds.get(reference)
        if hold is not None and hold.state == "active":
            hold.state = "released"

    def reservation_commit(self, *, reference: str, order_number: str) -> Reservation:
        self._enter("reservation_commit", reference=reference, order_number=order_number)
        _text_check(reference, field_name="reference", max_length=REFERENCE_MAX_LENGTH)
        _text_check(order_number, field_name="order_number", max_length=REFERENCE_MAX_LENGTH)
        hold = self.holds.get(reference)
        if hold is None:
            raise NotFound(f"There is no reservation {reference}.")
        if hold.state == "committed":
            if hold.order_number == order_number:
                return self._reservation(reference)
            raise ReservationConflict(f"Reservation {reference} is committed to another order.", code="reservation_committed")
        if hold.state == "released":
            raise ReservationConflict(f"Reservation {reference} was released.", code="reservation_released")
        # What is free for this hold: on hand minus every other hold (its own counts only while it holds).
        now = self.now()
        shortages = tuple(
            Shortage(sku=sku, requested=quantity, available=free)
            for sku, quantity in hold.lines.items()
            if (free := max(self.on_hand.get(sku, 0) - self._held(sku, now, but=reference), 0)) < quantity
        )
        if shortages:
            raise OutOfStock(shortages=shortages)
        for sku, quantity in hold.lines.items():
            self.on_hand[sku] -= quantity
        hold.state, hold.order_number = "committed", order_number
        return self._reservation(reference)

    def order_stock_return(self, *, order_number: str) -> None:
        self._enter("order_stock_return", order_number=order_number)
        _text_check(order_number, field_name="order_number", max_length=REFERENCE_MAX_LENGTH)
        own = self.holds.get(order_number)
        if own is not None and own.state == "active":
            own.state = "released"  # cancelled before its stock was committed: a late commit must not sell it
        for hold in self.holds.values():
            if hold.state == "committed" and hold.order_number == order_number and not hold.returned:
                for sku, quantity in hold.lines.items():
                    self.on_hand[sku] = self.on_hand.get(sku, 0) + quantity
                hold.returned = True

    # --- the module's rules, as the fake keeps them -----------------------------

    @staticmethod
    def _holds(hold: Hold, now: datetime) -> bool:
        """The one rule: a hold counts while it is active and not past its expiry."""
        return hold.state == "active" and hold.expires_at > now

    def _held(self, sku: str, now: datetime, *, but: str | None = None) -> int:
        return sum(
            hold.lines.get(sku, 0) for reference, hold in self.holds.items() if reference != but and self._holds(hold, now)
        )

    def _available(self, sku: str) -> int:
        return max(self.on_hand.get(sku, 0) - self._held(sku, self.now()), 0)

    def _reservation(self, reference: str) -> Reservation:
        hold = self.holds[reference]
        state: ReservationState = "expired" if hold.state == "active" and not self._holds(hold, self.now()) else hold.state
        return Reservation(
            reference=reference,
            state=state,
            expires_at=hold.expires_at,
            lines=tuple(SkuQuantity(sku=sku, quantity=quantity) for sku, quantity in hold.lines.items()),
        )
