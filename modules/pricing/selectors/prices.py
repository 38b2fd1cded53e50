"""Current prices: base prices under valid price lists, and the promotions read with them in one statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from json import loads as json_loads

from django.db.models import DecimalField, F, JSONField, Q, QuerySet, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from contracts.pricing import Price as PriceInfo
from kernel.batching import filtered_in
from modules.pricing.models import (
    Price,
    PriceList,
    PriceListItem,
    Promotion,
    window_q,
)
from modules.pricing.money import currency_check, money_round


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentPrice:
    sku: str
    amount: Decimal
    compare_at: Decimal | None


def prices_listed(*, skus: Sequence[str], currency: str, now: datetime) -> dict[str, Decimal]:
    """Return the winning price-list amount of each of ``skus`` in ``currency`` at ``now``; unlisted SKUs are absent.

    The valid list with the lowest priority number wins, then the older list
    (lower id). One query on PostgreSQL, one per 500 SKUs on SQLite.
    """
    listed: dict[str, Decimal] = {}
    for batch in filtered_in(
        PriceListItem.objects.filter(currency=currency), field="sku", values=list(dict.fromkeys(skus))
    ):
        items = (
            batch
            .filter(price_list__in=PriceList.objects.filter(window_q(now)).values("pk"))
            .order_by("-price_list__priority", "-price_list_id")
            .values_list("sku", "amount")
        )
        # Ordered worst first, so the winning list's amount is written last.
        listed.update(items)
    return listed


def price_effective(
    *, sku: str, amount: Decimal | None, compare_at: Decimal | None, listed: Decimal | None
) -> CurrentPrice | None:
    """Return what a customer sees for ``sku``: the list price over the base price (``amount``), or None.

    Under a list price, ``compare_at`` is the base price's ``compare_at`` or
    else the base amount, shown only when above the list price.
    """
    if listed is not None:
        was = compare_at or amount
        return CurrentPrice(sku=sku, amount=listed, compare_at=was if was and was > listed else None)
    if amount is not None:
        return CurrentPrice(sku=sku, amount=amount, compare_at=compare_at)
    return None


def prices_current(*, skus: Sequence[str], currency: str, now: datetime) -> dict[str, CurrentPrice]:
    """Return the price of each of ``skus`` in ``currency`` at ``now``; SKUs without one are absent.

    A valid price list overrides the base price (see ``prices_listed`` and
    ``price_effective``). One statement on PostgreSQL whatever the number of
    SKUs (base prices and valid list prices in one UNION ALL); one per 500
    SKUs on SQLite.
    """
    return _current(skus=skus, currency=currency, now=now, promotions=False)[0]


def prices_and_promotions_current(
    *, skus: Sequence[str], currency: str, now: datetime
) -> tuple[dict[str, CurrentPrice], list[Promotion]]:
    """Return ``prices_current`` and ``promotions_active`` together, read in the same statement.

    A quote needs both on every cart change; one round trip instead of two.
    The promotions are unsaved ``Promotion`` instances carrying what a quote
    reads (id, name, kind, value, currency, target, SKUs, category, minimum).
    """
    prices, promotions = _current(skus=skus, currency=currency, now=now, promotions=True)
    return prices, promotions or []


def _current(
    *, skus: Sequence[str], currency: str, now: datetime, promotions: bool
) -> tuple[dict[str, CurrentPrice], list[Promotion] | None]:
    unique = list(dict.fromkeys(skus))
    base: dict[str, tuple[Decimal, Decimal | None]] = {}
    listed: dict[str, tuple[int, int, Decimal]] = {}  # sku -> (priority, list id, amount): the lowest pair wins
    promos: list[Promotion] | None = None
    decimal, json = DecimalField(max_digits=18, decimal_places=3), JSONField()
    columns = ("row_kind", "row_key", "row_amount", "row_compare", "row_rank", "row_list", "row_extra")
    batches = zip(
        filtered_in(Price.objects.filter(currency=currency), field="sku", values=unique),
        filtered_in(PriceListItem.objects.filter(currency=currency), field="sku", values=unique),
        strict=True,
    )
    for base_batch, listed_batch in batches:
        parts = [
            base_batch.order_by().annotate(
                row_kind=Value(_BASE), row_key=F("sku"), row_amount=F("amount"), row_compare=F("compare_at"),
                row_rank=Value(0), row_list=Value(0), row_extra=Value(None, output_field=json),
            ),
            listed_batch.filter(price_list__in=PriceList.objects.filter(window_q(now)).values("pk")).order_by().annotate(
                row_kind=Value(_LISTED), row_key=F("sku"), row_amount=F("amount"),
                row_compare=Value(None, output_field=decimal), row_rank=F("price_list__priority"),
                row_list=F("price_list_id"), row_extra=Value(None, output_field=json),
            ),
        ]
        if promotions and promos is None:
            promos = []
            parts.append(_promotions_valid(currency=currency, now=now).order_by().annotate(
                row_kind=Value(_PROMOTION), row_key=F("name"), row_amount=F("value"), row_compare=F("min_subtotal"),
                row_rank=F("id"), row_list=Value(0),
                row_extra=JSONObject(kind="kind", currency="currency", target="target", skus="skus", slug="category_slug"),
            ))
        first, *rest = (part.values_list(*columns) for part in parts)
        for kind, key, amount, compare_at, rank, list_id, extra in first.union(*rest, all=True):
            if kind == _BASE:
                base[key] = (amount, compare_at)
            elif kind == _LISTED:
                if key not in listed or (rank, list_id) < listed[key][:2]:
                    listed[key] = (rank, list_id, amount)
            else:
                promos.append(_promotion_from_row(rank=rank, name=key, value=amount, min_subtotal=compare_at, extra=extra))
    if promotions and promos is None:  # no SKUs, so no statement above
        promos = promotions_active(currency=currency, now=now)
    result: dict[str, CurrentPrice] = {}
    for sku in unique:
        amount, compare_at = base.get(sku, (None, None))
        winner = listed.get(sku)
        current = price_effective(sku=sku, amount=amount, compare_at=compare_at, listed=winner[2] if winner else None)
        if current is not None:
            result[sku] = current
    return result, sorted(promos, key=lambda promo: promo.pk) if promos is not None else None


_BASE, _LISTED, _PROMOTION = 0, 1, 2


def _promotion_from_row(*, rank: int, name: str, value: Decimal, min_subtotal: Decimal, extra: object) -> Promotion:
    if isinstance(extra, str):  # SQLite hands JSON built in the query back as text
        extra = json_loads(extra)
    skus = extra["skus"]
    if isinstance(skus, str):  # SQLite nests the stored JSON text as a string
        skus = json_loads(skus)
    return Promotion(
        pk=rank, name=name, value=value, min_subtotal=min_subtotal, kind=extra["kind"], currency=extra["currency"],
        target=extra["target"], skus=skus, category_slug=extra["slug"],
    )


def prices_effective(*, keys: Iterable[tuple[str, str]], now: datetime) -> dict[tuple[str, str], CurrentPrice]:
    """Return the price at ``now`` of each ``(sku, currency)`` of ``keys`` that has one."""
    by_currency: dict[str, list[str]] = {}
    for sku, currency in keys:
        by_currency.setdefault(currency, []).append(sku)
    return {
        (sku, currency): price
        for currency, skus in sorted(by_currency.items())
        for sku, price in prices_current(skus=skus, currency=currency, now=now).items()
    }


def promotions_active(*, currency: str, now: datetime) -> list[Promotion]:
    """Return the promotions valid at ``now`` that apply to quotes in ``currency``, oldest first."""
    return list(_promotions_valid(currency=currency, now=now).order_by("id"))


def _promotions_valid(*, currency: str, now: datetime) -> QuerySet[Promotion]:
    return Promotion.objects.filter(window_q(now)).filter(Q(currency="") | Q(currency=currency))


def prices_get(*, skus: Sequence[str], currency: str) -> dict[str, PriceInfo]:
    """Return what each of ``skus`` sells at now in ``currency``, rounded to it; SKUs without a price are absent.

    Raises ``UnknownCurrency``. The one read behind ``prices_get`` of the
    contract and pricing's own ``/prices`` endpoint.
    """
    currency_check(currency)
    current = prices_current(skus=list(skus), currency=currency, now=timezone.now())
    return {
        sku: PriceInfo(
            sku=sku,
            currency=currency,
            amount=money_round(row.amount, currency),
            compare_at=money_round(row.compare_at, currency) if row.compare_at is not None else None,
        )
        for sku, row in current.items()
    }
