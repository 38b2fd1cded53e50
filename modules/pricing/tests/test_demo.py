"""The demo seed: prices for every SKU, once, fast."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from contracts.common import SkuQuantity
from contracts.container import services
from modules.pricing.demo import pricing_demo_seed
from modules.pricing.models import Price, Promotion, Voucher

pytestmark = pytest.mark.django_db


def test_the_seed_is_idempotent_and_fast(catalog) -> None:
    skus = [f"DEMO-{i:05d}" for i in range(30_000)]
    started = time.monotonic()
    assert pricing_demo_seed(skus=skus) == 60_000
    assert time.monotonic() - started < 30
    before = list(Price.objects.filter(sku="DEMO-00042").values_list("currency", "amount", "compare_at"))
    assert pricing_demo_seed(skus=skus[:10]) == 20
    assert Price.objects.count() == 60_000
    assert (Promotion.objects.count(), Voucher.objects.count()) == (1, 1)
    assert list(Price.objects.filter(sku="DEMO-00042").values_list("currency", "amount", "compare_at")) == before
    prices = services().pricing.prices_get(skus=["DEMO-00042"], currency="USD")
    assert Decimal("4.99") <= prices["DEMO-00042"].amount < Decimal("300")
    quote = services().pricing.quote_create(
        currency="EUR", lines=[SkuQuantity(sku="DEMO-00001", quantity=1)], voucher_code="welcome10"
    )
    assert quote.applied[-1].code == "WELCOME10"
