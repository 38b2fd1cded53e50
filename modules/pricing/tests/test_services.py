"""Writes of pricing: base prices publish PriceChanged (with the price a customer sees)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.errors import InvalidInput
from contracts.pricing import PriceChanged
from modules.pricing import services
from modules.pricing.models import Price
from modules.pricing.tests.factories import price_list_make

pytestmark = pytest.mark.django_db


def test_setting_a_price_publishes_price_changed_once_per_change(price_events, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.price_set(sku="A", currency="EUR", amount=Decimal("19.90"))
    with django_capture_on_commit_callbacks(execute=True):
        services.price_set(sku="A", currency="EUR", amount=Decimal("19.90"))  # no change, no event
    with django_capture_on_commit_callbacks(execute=True):
        services.price_set(sku="A", currency="EUR", amount=Decimal("17.90"), compare_at=Decimal("19.90"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.price_remove(sku="A", currency="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.price_remove(sku="A", currency="EUR")
    assert [(e.sku, e.currency, e.amount, e.compare_at) for e in price_events if isinstance(e, PriceChanged)] == [
        ("A", "EUR", Decimal("19.90"), None),
        ("A", "EUR", Decimal("17.90"), Decimal("19.90")),
        ("A", "EUR", None, None),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": Decimal("1.999")}, "amount"),
        ({"amount": Decimal("NaN")}, "amount"),
        ({"amount": Decimal("Infinity")}, "amount"),
        ({"amount": Decimal("1e20")}, "amount"),
        ({"compare_at": Decimal("5.00")}, "compare_at"),
        ({"sku": ""}, "sku"),
        ({"sku": "A B"}, "sku"),
        ({"sku": "A/B"}, "sku"),  # the one SKU rule of contracts.common, as the catalog holds it
        ({"sku": "-A"}, "sku"),
        ({"currency": "eur"}, "currency"),
    ],
)
def test_a_bad_price_is_refused_and_nothing_is_written(kwargs: dict, field: str) -> None:
    args = {"sku": "A", "currency": "EUR", "amount": Decimal("10.00"), **kwargs}
    with pytest.raises(InvalidInput) as caught:
        services.price_set(**args)
    assert field in [e.field for e in caught.value.errors]
    assert not Price.objects.exists()


def test_a_base_price_under_a_valid_price_list_publishes_what_customers_see(
    price_events, django_capture_on_commit_callbacks
) -> None:
    price_list_make("Sale", items=[("A", "EUR", "8.00")])
    with django_capture_on_commit_callbacks(execute=True):
        services.price_set(sku="A", currency="EUR", amount=Decimal("10.00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.price_remove(sku="A", currency="EUR")
    assert [(e.sku, e.amount, e.compare_at) for e in price_events] == [
        ("A", Decimal("8.00"), Decimal("10.00")),  # the list price, the base price struck through
        ("A", Decimal("8.00"), None),  # still sold at the list price
    ]
