"""Tables of the pricing module: prices, price lists, promotions, vouchers and their redemptions.

SKUs are business keys owned by the catalog: there is no relation to its
tables, so pricing may price a SKU before (or after) it is published.
Amounts are stored with 3 decimals (enough for KWD); ``clean()`` refuses
more decimals than the row's currency has.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from contracts.common import SKU_MAX_LENGTH, SKU_RULE, sku_valid
from contracts.money import ISO_MINOR_UNITS
from kernel.money import money_display
from modules.pricing.money import amount_problem

VOUCHER_CODE_MAX_LENGTH = 64


def _amount_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=15, decimal_places=3, **kwargs)


def _currency_errors(currency: str | None, *, field: str = "currency") -> dict[str, str]:
    if currency and (currency not in settings.SHOP_CURRENCIES or currency not in ISO_MINOR_UNITS):
        return {field: f"The shop does not sell in {currency!r} (SHOP_CURRENCIES: {', '.join(settings.SHOP_CURRENCIES)})."}
    return {}


def _amount_errors(amount: Decimal | None, currency: str | None, *, field: str) -> dict[str, str]:
    if amount is None or not currency or currency not in ISO_MINOR_UNITS:
        return {}
    problem = amount_problem(amount, currency=currency)
    return {field: problem} if problem else {}


class Window(models.Model):
    """A validity window ``[valid_from, valid_until)``; an open end is unbounded."""

    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def window_errors(self) -> dict[str, str]:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            return {"valid_until": "Must be after valid_from."}
        return {}


def window_q(now: object) -> Q:
    """Rows whose window contains ``now`` and that are switched on."""
    return (
        Q(active=True)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    )


class Price(models.Model):
    """The base unit price of a SKU in a currency; ``compare_at`` is the "was" price shown struck through."""

    sku = models.CharField(max_length=SKU_MAX_LENGTH)
    currency = models.CharField(max_length=3)
    amount = _amount_field()
    compare_at = _amount_field(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("sku", "currency")
        constraints = [
            models.UniqueConstraint(fields=("sku", "currency"), name="pricing_price_unique_sku_currency"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pricing_price_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at__isnull=True) | Q(compare_at__gt=models.F("amount")),
                name="pricing_price_compare_at_above_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {money_display(self.amount, self.currency)}"

    def clean(self) -> None:
        errors = _currency_errors(self.currency)
        errors |= _amount_errors(self.amount, self.currency, field="amount")
        errors |= _amount_errors(self.compare_at, self.currency, field="compare_at")
        if self.compare_at is not None and self.amount is not None and self.compare_at <= self.amount:
            errors.setdefault("compare_at", "A compare-at price must be above the price.")
        if errors:
            raise ValidationError(errors)


class PriceList(Window):
    """Prices that override base prices while the list is valid; the lowest ``priority`` number wins."""

    name = models.CharField(max_length=100, unique=True)
    priority = models.PositiveIntegerField(default=100, help_text="Lower wins; ties go to the older list.")

    class Meta:
        ordering = ("priority", "id")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if errors := self.window_errors():
            raise ValidationError(errors)


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(max_length=SKU_MAX_LENGTH)
    currency = models.CharField(max_length=3)
    amount = _amount_field()

    class Meta:
        ordering = ("sku", "currency")
        constraints = [
            models.UniqueConstraint(fields=("price_list", "sku", "currency"), name="pricing_pricelistitem_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pricing_pricelistitem_amount_not_negative"),
        ]
        indexes = [models.Index(fields=("sku", "currency"), name="pricing_pli_sku_currency")]

    def __str__(self) -> str:
        return f"{self.sku} {money_display(self.amount, self.currency)}"

    def clean(self) -> None:
        errors = _currency_errors(self.currency) | _amount_errors(self.amount, self.currency, field="amount")
        if errors:
            raise ValidationError(errors)


class DiscountKind(models.TextChoices):
    PERCENTAGE = "percentage", "percentage off"
    FIXED = "fixed", "fixed amount off"


def _discount_errors(kind: str, value: Decimal | None, currency: str | None) -> dict[str, str]:
    errors = _currency_errors(currency)
    if value is None:
        return errors
    if kind == DiscountKind.PERCENTAGE:
        if not Decimal(0) < value <= Decimal(100) or value != value.quantize(Decimal("0.01")):
            errors["value"] = "A percentage is above 0 and at most 100, with at most 2 decimals."
    elif not currency:
        errors["currency"] = "A fixed amount needs a currency."
    elif value <= 0:
        errors["value"] = "A fixed amount must be above 0."
    else:
        errors |= _amount_errors(value, currency, field="value")
    return errors


class Promotion(Window):
    """An automatic discount: on chosen SKUs, on a category, or on the cart above a subtotal threshold.

    Line promotions (``skus``, ``category``) take ``value`` off each unit
    (fixed) or off the line (percentage); cart promotions (``subtotal``) take
    it off the cart once. A promotion with a ``currency`` applies only to
    quotes in that currency; fixed amounts and thresholds need one.
    """

    class Target(models.TextChoices):
        SKUS = "skus", "chosen SKUs"
        CATEGORY = "category", "a category (and its subcategories)"
        SUBTOTAL = "subtotal", "the cart, from a subtotal up"

    name = models.CharField(max_length=100, unique=True, help_text="Shown to customers as what was applied.")
    kind = models.CharField(max_length=10, choices=DiscountKind.choices)
    value = models.DecimalField(max_digits=15, decimal_places=3)
    currency = models.CharField(max_length=3, blank=True, default="", help_text="Required for fixed amounts and thresholds.")
    target = models.CharField(max_length=10, choices=Target.choices)
    skus = models.JSONField(default=list, blank=True, help_text='For target "chosen SKUs": a list of SKUs.')
    category_slug = models.SlugField(max_length=100, blank=True, default="")
    min_subtotal = _amount_field(default=Decimal(0), help_text="For target 'the cart': the subtotal it starts at.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="pricing_promotion_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100), name="pricing_promotion_percentage_at_most_100"
            ),
            models.CheckConstraint(condition=Q(min_subtotal__gte=0), name="pricing_promotion_min_subtotal_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.window_errors() | _discount_errors(self.kind, self.value, self.currency or None)
        if self.target == self.Target.SKUS:
            if not isinstance(self.skus, list) or not self.skus or not all(sku_valid(s) for s in self.skus):
                errors["skus"] = f"A non-empty list of SKUs (a SKU is {SKU_RULE})."
        elif self.target == self.Target.CATEGORY and not self.category_slug:
            errors["category_slug"] = "Name the category."
        elif self.target == self.Target.SUBTOTAL and self.min_subtotal and not self.currency:
            errors["currency"] = "A subtotal threshold needs a currency."
        errors |= _amount_errors(self.min_subtotal, self.currency or None, field="min_subtotal")
        if errors:
            raise ValidationError(errors)


class Voucher(Window):
    """A code a customer enters; case-insensitive (stored uppercase), limited in total and per email."""

    code = models.CharField(max_length=VOUCHER_CODE_MAX_LENGTH, unique=True)
    kind = models.CharField(max_length=10, choices=DiscountKind.choices)
    value = models.DecimalField(max_digits=15, decimal_places=3)
    currency = models.CharField(
        max_length=3, blank=True, default="", help_text="Required for fixed amounts and a minimum subtotal."
    )
    min_subtotal = _amount_field(default=Decimal(0))
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Uses in all; empty for no limit.")
    per_customer_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Uses per email; empty for no limit.")
    # Uses taken by reserved and confirmed redemptions; changed only by conditional updates in services.
    times_used = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("code",)
        constraints = [
            models.UniqueConstraint(Upper("code"), name="pricing_voucher_code_case_insensitive"),
            models.CheckConstraint(condition=Q(value__gt=0), name="pricing_voucher_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100), name="pricing_voucher_percentage_at_most_100"
            ),
            models.CheckConstraint(condition=Q(min_subtotal__gte=0), name="pricing_voucher_min_subtotal_not_negative"),
            models.CheckConstraint(condition=Q(times_used__gte=0), name="pricing_voucher_times_used_not_negative"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: object, **kwargs: object) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        errors = self.window_errors() | _discount_errors(self.kind, self.value, self.currency or None)
        if self.min_subtotal and not self.currency:
            errors["currency"] = "A minimum subtotal needs a currency."
        errors |= _amount_errors(self.min_subtotal, self.currency or None, field="min_subtotal")
        if errors:
            raise ValidationError(errors)


class VoucherRedemption(models.Model):
    """One use of a voucher by one order (``reference`` is the order number)."""

    class State(models.TextChoices):
        RESERVED = "reserved"  # taken while the order is being placed
        CONFIRMED = "confirmed"  # the order was placed
        RELEASED = "released"  # placement failed or the order was cancelled: the use was given back

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    reference = models.CharField(max_length=100, unique=True)
    email = models.CharField(max_length=254, blank=True, default="")  # the customer's key (emails.customer_email_key)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RESERVED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("voucher", "email", "state"), name="pricing_redemption_customer")]

    def __str__(self) -> str:
        return f"{self.voucher_id} {self.reference} ({self.state})"

    @property
    def holds_use(self) -> bool:
        return self.state != self.State.RELEASED


class WindowMark(models.Model):
    """How far the validity windows of price lists have been checked for starts and ends (one row per ``name``).

    ``price_list_windows_publish`` moves ``checked_until`` forward under a
    row lock, so each start or end falls into exactly one run's
    ``(previous, checked_until]`` and is published once.
    """

    name = models.CharField(max_length=50, unique=True)
    checked_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} checked until {self.checked_until:%Y-%m-%d %H:%M:%S}"
