"""Writes of the pricing module: base prices (with ``PriceChanged``) and voucher uses.

Every write runs in one transaction on the pricing database, and events are
published inside it, so the outbox row commits with the change or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from contracts.common import SKU_RULE, sku_valid
from contracts.errors import Conflict, FieldProblem, InvalidInput
from contracts.events import publish_many
from contracts.pricing import PriceChanged, UnknownCurrency, VoucherInvalid
from kernel.batching import chunked
from kernel.transactions import atomic_for
from modules.pricing.emails import customer_email_key
from modules.pricing.models import Price, Voucher, VoucherRedemption
from modules.pricing.money import amount_problem, currency_check
from modules.pricing.selectors.prices import CurrentPrice, prices_effective
from modules.pricing.selectors.vouchers import voucher_check, voucher_find

_BATCH = 1000


def pricing_atomic() -> transaction.Atomic:
    """A transaction on the database that holds pricing's tables: ``atomic_for(Price)``, for ``price_lists``/``imports``."""
    return atomic_for(Price)


def _sku_problem(sku: str) -> str | None:
    return None if sku_valid(sku) else f"A SKU is {SKU_RULE}."


def price_problems(*, sku: str, currency: str, amount: Decimal, compare_at: Decimal | None) -> list[FieldProblem]:
    """Return what is wrong with a base price, one problem per field; empty when it is valid."""
    problems = []
    if problem := _sku_problem(sku):
        problems.append(FieldProblem(field="sku", code="invalid_sku", detail=problem))
    try:
        currency_check(currency)
    except UnknownCurrency as exc:
        return [*problems, FieldProblem(field="currency", code=exc.code, detail=exc.detail)]
    if problem := amount_problem(amount, currency=currency):
        problems.append(FieldProblem(field="amount", code="invalid_amount", detail=problem))
    if compare_at is not None:
        if problem := amount_problem(compare_at, currency=currency):
            problems.append(FieldProblem(field="compare_at", code="invalid_amount", detail=problem))
        elif compare_at <= amount:
            problems.append(
                FieldProblem(field="compare_at", code="invalid_compare_at", detail="A compare-at price must be above the price.")
            )
    return problems


def price_changes_publish(
    *, before: Mapping[tuple[str, str], CurrentPrice], after: Mapping[tuple[str, str], CurrentPrice]
) -> int:
    """Publish ``PriceChanged`` for each ``(sku, currency)`` whose price moved from ``before`` to ``after``.

    Both map a key to what ``prices_get`` answers (the list price over the
    base price); a key absent from ``after`` lost its price (``amount`` None).
    Call it inside the writing transaction. Return how many were published.
    """
    events = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        sku, currency = key
        events.append(
            PriceChanged(
                sku=sku,
                currency=currency,
                amount=new.amount if new else None,
                compare_at=new.compare_at if new else None,
            )
        )
    publish_many(events)
    return len(events)


def price_set(*, sku: str, currency: str, amount: Decimal, compare_at: Decimal | None = None) -> Price:
    """Create or change the base price of ``sku`` in ``currency``; publish ``PriceChanged`` when what it sells at changed.

    The event carries the price ``prices_get`` answers afterwards (a valid
    price list's amount wins over the base price). Setting the same price
    again writes and publishes nothing.
    Raises ``InvalidInput`` (with field errors) and ``UnknownCurrency``.
    """
    problems = price_problems(sku=sku, currency=currency, amount=amount, compare_at=compare_at)
    if problems:
        raise InvalidInput("The price is not valid.", errors=tuple(problems))
    now = timezone.now()
    with atomic_for(Price):
        price = Price.objects.select_for_update().filter(sku=sku, currency=currency).first()
        if price is not None and price.amount == amount and price.compare_at == compare_at:
            return price
        before = prices_effective(keys=[(sku, currency)], now=now)
        if price is None:
            price = Price.objects.create(sku=sku, currency=currency, amount=amount, compare_at=compare_at)
        else:
            price.amount, price.compare_at = amount, compare_at
            price.save(update_fields=("amount", "compare_at", "updated_at"))
        price_changes_publish(before=before, after=prices_effective(keys=[(sku, currency)], now=now))
    return price


def price_remove(*, sku: str, currency: str) -> bool:
    """Remove the base price of ``sku`` in ``currency`` and publish ``PriceChanged`` (no amount unless a list prices it).

    Return whether there was one; removing nothing is a no-op.
    """
    now = timezone.now()
    with atomic_for(Price):
        before = prices_effective(keys=[(sku, currency)], now=now)
        deleted, _ = Price.objects.filter(sku=sku, currency=currency).delete()
        if deleted:
            price_changes_publish(before=before, after=prices_effective(keys=[(sku, currency)], now=now))
    return bool(deleted)


def prices_seed(*, prices: Sequence[Price]) -> int:
    """Insert the ``prices`` that do not exist yet, in bulk, without events; return how many were inserted.

    For demo data only: nothing holds copies of prices before the shop
    exists, and publishing tens of thousands of ``PriceChanged`` would only
    slow the seed down.
    """
    with atomic_for(Price):
        keys = {(p.sku, p.currency) for p in prices}
        existing: set[tuple[str, str]] = set()
        skus = sorted({sku for sku, _ in keys})
        for chunk in chunked(skus, _BATCH):
            existing.update(Price.objects.filter(sku__in=chunk).values_list("sku", "currency"))
        missing = [p for p in prices if (p.sku, p.currency) not in existing]
        Price.objects.bulk_create(missing, batch_size=_BATCH)
    return len(missing)


def voucher_redeem(
    *, code: str, reference: str, email: str, currency: str, subtotal: Decimal, now: datetime | None = None
) -> VoucherRedemption:
    """Take one use of the voucher ``code`` for ``reference`` (an order number); idempotent per reference.

    Exactly-once under concurrency: the voucher row is locked (``SELECT ...
    FOR UPDATE`` on PostgreSQL; on SQLite the transaction is ``IMMEDIATE``,
    so writers queue), the total and per-customer limits are checked under
    that lock, and the counter moves by a conditional ``UPDATE`` that cannot
    pass ``usage_limit`` even if the lock were missing.

    A reference that already holds a use gets it back unchanged; one whose
    use was released takes a new one, of this voucher or another. Raises ``VoucherInvalid``,
    ``UnknownCurrency`` and ``Conflict`` (the reference redeemed another voucher).
    """
    currency_check(currency)
    if not reference or len(reference) > 100:
        raise InvalidInput("A reference is 1 to 100 characters.", code="invalid_reference")
    now = now or timezone.now()
    email = customer_email_key(email)  # one customer however the address is spelled
    with atomic_for(Price):
        found = voucher_find(code=code)
        voucher = Voucher.objects.select_for_update().filter(pk=found.pk).first() if found else None
        redemption = VoucherRedemption.objects.select_for_update().filter(reference=reference).first()
        if redemption is not None and voucher is not None and redemption.voucher_id != voucher.pk and redemption.holds_use:
            raise Conflict(f"Order {reference} already redeemed another voucher.", code="voucher_reference_conflict")
        if redemption is not None and redemption.holds_use:
            return redemption
        voucher = voucher_check(voucher=voucher, currency=currency, subtotal=subtotal, email=email, now=now)
        taken = Voucher.objects.filter(pk=voucher.pk)
        if voucher.usage_limit is not None:
            taken = taken.filter(times_used__lt=F("usage_limit"))
        if not taken.update(times_used=F("times_used") + 1):
            raise VoucherInvalid("This voucher has been used up.", reason="exhausted")
        if redemption is None:
            try:
                with atomic_for(VoucherRedemption):
                    redemption = VoucherRedemption.objects.create(voucher=voucher, reference=reference, email=email)
            except IntegrityError:
                raise Conflict(f"Order {reference} is redeeming a voucher already.", code="voucher_reference_conflict") from None
        else:
            # A released use may be taken again, with this voucher: a retried checkout whose cart changed voucher.
            redemption.voucher, redemption.state, redemption.email = voucher, VoucherRedemption.State.RESERVED, email
            redemption.save(update_fields=("voucher", "state", "email", "updated_at"))
    return redemption


def voucher_release(*, reference: str) -> bool:
    """Give back the use taken for ``reference``; return whether one was given back (idempotent)."""
    with atomic_for(Price):
        redemption = VoucherRedemption.objects.select_for_update().filter(reference=reference).first()
        if redemption is None or not redemption.holds_use:
            return False
        redemption.state = VoucherRedemption.State.RELEASED
        redemption.save(update_fields=("state", "updated_at"))
        Voucher.objects.filter(pk=redemption.voucher_id, times_used__gt=0).update(times_used=F("times_used") - 1)
    return True


def voucher_redemption_confirm(*, reference: str) -> bool:
    """Mark the use taken for ``reference`` as part of a placed order; return whether it changed (idempotent).

    Only a reserved use is confirmed: a released one stays released, since
    its order's placement failed or it was cancelled already.
    """
    with atomic_for(Price):
        return bool(
            VoucherRedemption.objects.filter(reference=reference, state=VoucherRedemption.State.RESERVED).update(
                state=VoucherRedemption.State.CONFIRMED, updated_at=timezone.now()
            )
        )


def customer_redemptions_forget(*, email: str) -> int:
    """Unlink the voucher uses of an erased customer from their email; return how many.

    The uses still count against the voucher's total limit; they no longer
    name anyone, so they count against no customer's per-customer limit.
    """
    with atomic_for(Price):
        return VoucherRedemption.objects.filter(email=customer_email_key(email)).update(email="")
