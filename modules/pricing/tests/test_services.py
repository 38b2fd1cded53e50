"""Writes of pricing: base prices publish PriceChanged; CSV imports are all or nothing and idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.errors import InvalidInput
from contracts.pricing import PriceChanged
from modules.pricing import services
from modules.pricing.models import Price

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
        ({"currency": "eur"}, "currency"),
    ],
)
def test_a_bad_price_is_refused_and_nothing_is_written(kwargs: dict, field: str) -> None:
    args = {"sku": "A", "currency": "EUR", "amount": Decimal("10.00"), **kwargs}
    with pytest.raises(InvalidInput) as caught:
        services.price_set(**args)
    assert field in [e.field for e in caught.value.errors]
    assert not Price.objects.exists()


CSV = "sku,currency,amount,compare_at\nA,EUR,19.90,24.90\nA,USD,21.00\nB,EUR,5\n"


def test_an_import_creates_then_updates_then_changes_nothing(price_events, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = services.prices_import(text=CSV)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Price.objects.get(sku="A", currency="EUR").compare_at == Decimal("24.90")
    assert len(price_events) == 3

    with django_capture_on_commit_callbacks(execute=True):
        again = services.prices_import(text=CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(price_events) == 3  # re-importing publishes nothing

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.prices_import(text="B,EUR,6.00\nC,EUR,1.00\n")  # no header; A is left alone
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 0)
    assert Price.objects.count() == 4
    assert [(e.sku, e.amount) for e in price_events[3:]] == [("C", Decimal("1.00")), ("B", Decimal("6.00"))]


def test_an_import_with_bad_lines_names_each_and_imports_nothing() -> None:
    services.prices_import(text="A,EUR,1.00\n")
    text = (
        "sku,currency,amount\n"
        "A,EUR,2.00\n"  # fine, but must not be applied
        "B,eur,1.00\n"
        "C,EUR,-1\n"
        "D,EUR,1.999\n"
        "E,EUR,NaN\n"
        "F,EUR,Infinity\n"
        "G,EUR,1e3\n"
        "H,EUR,abc\n"
        "I,EUR,5.00,4.00\n"
        "J,EUR\n"
        ",EUR,1.00\n"
        "K,EUR,1.00\n"
        "K,EUR,2.00\n"
        "L,GBP,1.00\n"
    )
    with pytest.raises(InvalidInput) as caught:
        services.prices_import(text=text)
    assert caught.value.code == "import_invalid"
    assert [e.field for e in caught.value.errors] == [f"line {n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15)]
    assert list(Price.objects.values_list("sku", "amount")) == [("A", Decimal("1.000"))]


def test_an_import_accepts_a_byte_order_mark_free_header_and_blank_lines() -> None:
    result = services.prices_import(text="\n\nSKU,Currency,Amount,Compare_at\n\nA,EUR, 3.50 ,\n")
    assert (result.created, Price.objects.get().amount) == (1, Decimal("3.50"))
