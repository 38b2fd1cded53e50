from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.checkout import OrderLine, OrderPlaced


def order_placed(number: str = "ORD-1") -> OrderPlaced:
    return OrderPlaced(
        order_number=number,
        reservation_reference=number,
        email="buyer@example.com",
        currency="EUR",
        lines=(
            OrderLine(sku="SKU-1", name="Shirt", quantity=2, unit_price=Decimal("10.00"), discount=Decimal("1.00"), total=Decimal("19.00")),
        ),
        subtotal=Decimal("20.00"),
        discount_total=Decimal("1.00"),
        total=Decimal("19.00"),
    )


@pytest.fixture
def probe_mode(db):
    from tests.eventprobe.models import ProbeSwitch

    def set_mode(mode: str) -> None:
        ProbeSwitch.objects.update_or_create(pk=1, defaults={"mode": mode})

    return set_mode
