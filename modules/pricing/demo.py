"""Demo data of the pricing module: EUR and USD prices for every SKU, a promotion and the WELCOME10 voucher."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

from django.db import router, transaction

from modules.pricing import services
from modules.pricing.models import DiscountKind, Price, Promotion, Voucher

DEMO_PROMOTION = "Demo: 15% off selected items"
DEMO_VOUCHER = "WELCOME10"
_PROMOTED_SKUS_MAX = 200


def _demo_amounts(sku: str) -> tuple[Decimal, Decimal, Decimal | None]:
    """Return (EUR, USD, EUR compare-at) for ``sku``: realistic, and the same on every run."""
    digest = int.from_bytes(hashlib.sha256(sku.encode()).digest()[:8], "big")
    eur = Decimal(5 + digest % 245) - Decimal("0.01")  # 4.99 .. 248.99
    usd = (eur * Decimal("1.10")).quantize(Decimal(1)) - Decimal("0.01")
    compare_at = (eur * Decimal("1.25")).quantize(Decimal(1)) - Decimal("0.01") if digest % 7 == 0 else None
    return eur, usd, compare_at


def pricing_demo_seed(*, skus: Sequence[str]) -> int:
    """Give every SKU an EUR and a USD base price, add the demo promotion and voucher; return the prices of ``skus``.

    Idempotent: existing prices, the promotion and the voucher are left as
    they are. Prices go in by bulk insert (see ``services.prices_seed``), so
    30,000 SKUs load in seconds.
    """
    rows: list[Price] = []
    for sku in skus:
        # Variants of one demo product share its SKU stem ("J-00133-1", "J-00133-2"), and so its price.
        eur, usd, compare_at = _demo_amounts(sku.rsplit("-", 1)[0])
        rows.append(Price(sku=sku, currency="EUR", amount=eur, compare_at=compare_at))
        rows.append(Price(sku=sku, currency="USD", amount=usd))
    services.prices_seed(prices=rows)
    with transaction.atomic(using=router.db_for_write(Promotion)):
        promoted = sorted(skus)[::10][:_PROMOTED_SKUS_MAX]
        if promoted:
            Promotion.objects.get_or_create(
                name=DEMO_PROMOTION,
                defaults={"kind": DiscountKind.PERCENTAGE, "value": Decimal(15), "target": "skus", "skus": promoted},
            )
        Voucher.objects.get_or_create(
            code=DEMO_VOUCHER, defaults={"kind": DiscountKind.PERCENTAGE, "value": Decimal(10)}
        )
    return len(rows)
