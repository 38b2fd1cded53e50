"""Builders of pricing rows for tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from modules.pricing.models import Price, PriceList, PriceListItem, Promotion, Voucher


def price_make(sku: str, amount: str, currency: str = "EUR", compare_at: str | None = None) -> Price:
    return Price.objects.create(
        sku=sku, currency=currency, amount=Decimal(amount), compare_at=Decimal(compare_at) if compare_at else None
    )


def price_list_make(name: str, *, priority: int = 100, items: Sequence[tuple[str, str, str]] = (), **kwargs: object) -> PriceList:
    price_list = PriceList.objects.create(name=name, priority=priority, **kwargs)
    for sku, currency, amount in items:
        PriceListItem.objects.create(price_list=price_list, sku=sku, currency=currency, amount=Decimal(amount))
    return price_list


def promotion_make(name: str, *, kind: str = "percentage", value: str = "10", target: str = "skus", **kwargs: object) -> Promotion:
    return Promotion.objects.create(name=name, kind=kind, value=Decimal(value), target=target, **kwargs)


def voucher_make(code: str, *, kind: str = "percentage", value: str = "10", **kwargs: object) -> Voucher:
    return Voucher.objects.create(code=code, kind=kind, value=Decimal(value), **kwargs)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def now() -> datetime:
    return timezone.now()
