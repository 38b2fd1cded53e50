"""Inventory tables: warehouses, stock levels, the movement ledger and reservations.

Invariants:
- ``StockLevel.on_hand`` only changes through ``services`` and always with a
  ``StockMovement`` in the same transaction, so on-hand equals the sum of the
  ledger for that SKU and warehouse; the ledger is append-only;
- on-hand is never negative (a database constraint, the last line of defence);
- a reservation holds its lines while it is ``active`` and ``expires_at`` is in
  the future; past ``expires_at`` it holds nothing, whether or not the beat
  task has marked it ``expired`` yet.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from contracts.common import SKU_MAX_LENGTH

REFERENCE_MAX_LENGTH = 100
# Who wrote a ledger row that no person asked for (sales, returns).
SYSTEM_ACTOR = "system"


class Warehouse(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    priority = models.PositiveIntegerField(default=100, help_text="Lower numbers are allocated first.")
    active = models.BooleanField(default=True, help_text="Only stock in active warehouses can be sold.")

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.code


class StockLevel(models.Model):
    sku = models.CharField("SKU", max_length=SKU_MAX_LENGTH)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    # Changed only by services, together with a ledger row.
    on_hand = models.IntegerField(default=0, editable=False)

    class Meta:
        ordering = ["sku", "warehouse__priority"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="inventory_stocklevel_sku_warehouse_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_stocklevel_on_hand_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} @ {self.warehouse_id}"


class StockMovement(models.Model):
    """One change of on-hand stock; append-only."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        SALE = "sale", "Sale"
        RETURN = "return", "Return"
        IMPORT = "import", "Import"

    sku = models.CharField("SKU", max_length=SKU_MAX_LENGTH)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(help_text="Signed: positive adds to on-hand, negative takes away.")
    reason = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH, blank=True, help_text="Order number, file, ...")
    actor = models.CharField(max_length=150, blank=True, help_text="Who made the change (user or system).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["sku", "warehouse"], name="inventory_move_sku_wh_idx"),
            models.Index(fields=["reference", "kind"], name="inventory_move_ref_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="inventory_stockmovement_quantity_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.sku} @ {self.warehouse_id}"


class Reservation(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        COMMITTED = "committed", "Committed"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH, unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    expires_at = models.DateTimeField()
    order_number = models.CharField(max_length=REFERENCE_MAX_LENGTH, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once the stock sold to ``order_number`` went back (cancelled order): makes the return idempotent.
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "expires_at"], name="inventory_resv_state_exp_idx")]

    def __str__(self) -> str:
        return self.reference

    def holds_at(self, now: datetime) -> bool:
        """Return whether this reservation holds stock at ``now`` (the rule of ``holding_q``, in Python)."""
        return self.state == self.State.ACTIVE and self.expires_at > now

    def state_at(self, now: datetime) -> str:
        """Return the state a person means at ``now``: an active hold past its expiry counts as expired."""
        if self.state == self.State.ACTIVE and not self.holds_at(now):
            return self.State.EXPIRED
        return self.state


# The one definition of "holds stock": active and not yet past ``expires_at``. A hold stops counting the
# moment it expires, whether or not the beat task has marked it expired yet. ``Reservation.holds_at`` and
# ``Reservation.state_at`` are the same rule for one row in Python; tests hold the two forms together.


def holding_q(*, now: datetime, prefix: str = "") -> Q:
    """Return the filter of reservations holding stock at ``now``; ``prefix`` reaches them through a relation."""
    return Q(**{f"{prefix}state": Reservation.State.ACTIVE, f"{prefix}expires_at__gt": now})


def in_state_q(*, state: str, now: datetime) -> Q:
    """Return the filter of reservations in ``state`` as ``Reservation.state_at`` tells it at ``now``."""
    if state == Reservation.State.ACTIVE:
        return holding_q(now=now)
    if state == Reservation.State.EXPIRED:
        return Q(state=Reservation.State.EXPIRED) | (Q(state=Reservation.State.ACTIVE) & ~holding_q(now=now))
    return Q(state=state)


class ReservationLine(models.Model):
    """The quantity of one SKU held in one warehouse (a request line may be split over warehouses)."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField("SKU", max_length=SKU_MAX_LENGTH)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["sku", "warehouse__priority"]
        indexes = [models.Index(fields=["sku", "warehouse"], name="inventory_resline_sku_wh_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["reservation", "sku", "warehouse"], name="inventory_reservationline_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservationline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku} @ {self.warehouse_id}"


class LowStockThreshold(models.Model):
    """A per-SKU threshold for ``LowStock``; SKUs without one use ``INVENTORY_LOW_STOCK_THRESHOLD``."""

    sku = models.CharField("SKU", max_length=SKU_MAX_LENGTH, unique=True)
    threshold = models.PositiveIntegerField()

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} ≤ {self.threshold}"
