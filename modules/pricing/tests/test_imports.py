"""Price imports: all or nothing, idempotent, in bulk, only for SKUs the catalog knows, reports capped with a count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kernel.imports import REPORT_MAX_PROBLEMS, ImportInvalid
from modules.pricing.imports import prices_import
from modules.pricing.models import Price
from modules.pricing.tests.factories import price_list_make

pytestmark = pytest.mark.django_db

CSV = "sku,currency,amount,compare_at\nA,EUR,19.90,24.90\nA,USD,21.00\nB,EUR,5\n"


@pytest.fixture
def known(catalog):
    """The fake catalog knows the SKUs A to Z."""
    catalog.variants_add(chr(c) for c in range(ord("A"), ord("Z") + 1))
    return catalog


def test_an_import_creates_then_updates_then_changes_nothing(
    known, price_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = prices_import(text=CSV)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Price.objects.get(sku="A", currency="EUR").compare_at == Decimal("24.90")
    assert len(price_events) == 3

    with django_capture_on_commit_callbacks(execute=True):
        again = prices_import(text=CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(price_events) == 3  # re-importing publishes nothing

    with django_capture_on_commit_callbacks(execute=True):
        changed = prices_import(text="B,EUR,6.00\nC,EUR,1.00\n")  # no header; A is left alone
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 0)
    assert Price.objects.count() == 4
    assert sorted((e.sku, e.amount) for e in price_events[3:]) == [("B", Decimal("6.00")), ("C", Decimal("1.00"))]
    b = Price.objects.get(sku="B", currency="EUR")
    assert (b.amount, b.compare_at) == (Decimal("6.00"), None)


def test_an_update_writes_amount_compare_at_and_the_timestamp(known) -> None:
    prices_import(text="A,EUR,10.00,12.00\nB,EUR,3.00\nC,EUR,4.00\n")
    before = Price.objects.get(sku="A").updated_at
    prices_import(text="A,EUR,9.50\nB,EUR,3.00,3.50\nC,EUR,4\n")
    rows = {p.sku: (p.amount, p.compare_at) for p in Price.objects.all()}
    assert rows == {
        "A": (Decimal("9.50"), None),
        "B": (Decimal("3.00"), Decimal("3.50")),
        "C": (Decimal("4.00"), None),  # 4 == 4.00: unchanged
    }
    assert Price.objects.get(sku="A").updated_at > before


def test_an_import_under_a_valid_price_list_publishes_what_customers_see(
    known, price_events, django_capture_on_commit_callbacks
) -> None:
    price_list_make("Sale", items=[("A", "EUR", "8.00")])
    with django_capture_on_commit_callbacks(execute=True):
        prices_import(text="A,EUR,10.00\nB,EUR,5.00\n")
    assert sorted((e.sku, e.amount, e.compare_at) for e in price_events) == [
        ("A", Decimal("8.00"), Decimal("10.00")),
        ("B", Decimal("5.00"), None),
    ]


def test_an_import_with_bad_lines_names_each_and_imports_nothing(known) -> None:
    prices_import(text="A,EUR,1.00\n")
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
        "UNKNOWN-1,EUR,1.00\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        prices_import(text=text)
    assert caught.value.code == "import_invalid"
    assert [e.field for e in caught.value.errors] == [f"line {n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16)]
    assert caught.value.errors[-1].code == "unknown_sku"
    assert caught.value.extra["problem_count"] == 13
    assert list(Price.objects.values_list("sku", "amount")) == [("A", Decimal("1.000"))]


def test_skus_unknown_to_the_catalog_are_refused_with_one_call_per_500_skus(catalog) -> None:
    catalog.variants_add(f"S-{n}" for n in range(1000))
    text = "".join(f"S-{n},EUR,1.00\n" for n in range(1200))
    with pytest.raises(ImportInvalid) as caught:
        prices_import(text=text)
    assert catalog.count("variants_get") == 3
    assert caught.value.extra["problem_count"] == 200
    assert caught.value.errors[0].field == "line 1001" and caught.value.errors[0].code == "unknown_sku"
    assert not Price.objects.exists()


def test_a_file_with_many_bad_lines_lists_the_first_ones_and_counts_all(known) -> None:
    with pytest.raises(ImportInvalid) as caught:
        prices_import(text="".join(f"A{n},EUR,x\n" for n in range(3000)))
    assert len(caught.value.errors) == REPORT_MAX_PROBLEMS
    assert caught.value.errors[0].field == "line 1"
    assert caught.value.extra["problem_count"] == 3000
    assert "3000 problem(s)" in caught.value.detail


def test_a_dry_run_checks_and_reports_but_writes_and_publishes_nothing(
    known, price_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = prices_import(text=CSV, dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert not Price.objects.exists() and not price_events
    with pytest.raises(ImportInvalid):
        prices_import(text="A,EUR,-1\n", dry_run=True)


def test_an_import_accepts_a_byte_order_mark_free_header_and_blank_lines(known) -> None:
    result = prices_import(text="\n\nSKU,Currency,Amount,Compare_at\n\nA,EUR, 3.50 ,\n")
    assert (result.created, Price.objects.get().amount) == (1, Decimal("3.50"))


def test_a_big_import_runs_a_bounded_number_of_statements(catalog, django_assert_max_num_queries) -> None:
    catalog.variants_add(f"S-{n}" for n in range(1200))
    prices_import(text="".join(f"S-{n},EUR,1.00\n" for n in range(600)))
    text = "".join(f"S-{n},EUR,2.00\n" for n in range(1200))  # 600 updates, 600 creates
    # Budget: 2 savepoint pairs (the import, its insert), 3 locks of existing rows (1 per 500 SKUs), up to 4
    # inserts (SQLite caps a statement's parameters), 2 updates (300 rows each), 1 check for valid price lists;
    # then, per PriceChanged (one per SKU whose price moved), the outbox's savepoint, event insert, delivery insert
    # and release.
    with django_assert_max_num_queries(1200 * 4 + 14):
        result = prices_import(text=text)
    assert (result.created, result.updated) == (600, 600)
    assert Price.objects.filter(amount=Decimal("2.00")).count() == 1200


def test_any_sku_the_catalog_knows_is_priced_draft_or_discontinued_alike(catalog) -> None:
    # The one rule of every import: a SKU must be known to the catalog; whether it is sold yet is the catalog's to say.
    catalog.variant_add("DRAFT-1", published=False)
    catalog.variant_add("OLD-1", active=False)
    result = prices_import(text="DRAFT-1,EUR,1.00\nOLD-1,EUR,2.00\n")
    assert result.created == 2
    assert sorted(Price.objects.values_list("sku", flat=True)) == ["DRAFT-1", "OLD-1"]
