"""The pricing contract as other modules call it: prices, price lists, promotions, vouchers and quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import Conflict, InvalidInput
from contracts.pricing import Price, PriceNotFound, UnknownCurrency, VoucherInvalid
from modules.pricing.tests.factories import hours, now, price_list_make, price_make, promotion_make, voucher_make

pytestmark = pytest.mark.django_db


def pricing():
    return services().pricing


def quote(*lines: tuple[str, int], currency: str = "EUR", **kwargs: object):
    return pricing().quote_create(currency=currency, lines=[SkuQuantity(sku=s, quantity=q) for s, q in lines], **kwargs)


# --- prices ----------------------------------------------------------------


def test_prices_of_many_skus_in_one_call_rounded_to_the_currency(django_assert_max_num_queries) -> None:
    price_make("A", "19.90", compare_at="24.90")
    price_make("B", "5")
    price_make("A", "21", currency="USD")
    with django_assert_max_num_queries(3):
        prices = pricing().prices_get(skus=["A", "B", "NOPE"], currency="EUR")
    assert prices == {
        "A": Price(sku="A", currency="EUR", amount=Decimal("19.90"), compare_at=Decimal("24.90")),
        "B": Price(sku="B", currency="EUR", amount=Decimal("5.00")),
    }
    assert str(prices["B"].amount) == "5.00"


def test_prices_of_a_large_category_cost_two_statements_on_postgresql(django_assert_max_num_queries) -> None:
    from django.db import connection

    from modules.pricing.models import Price as PriceRow
    from modules.pricing.models import PriceList, PriceListItem

    skus = [f"S-{i:05d}" for i in range(3000)]
    PriceRow.objects.bulk_create([PriceRow(sku=sku, currency="EUR", amount=Decimal("2.00")) for sku in skus])
    price_list = price_list_make("Sale", priority=1)
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=price_list, sku=sku, currency="EUR", amount=Decimal("1.50")) for sku in skus[::3]]
    )
    assert PriceList.objects.count() == 1
    # PostgreSQL binds the SKUs as one array (``sku = ANY(%s)``): the base prices, the list prices.
    # SQLite caps bound parameters, so there it is those two per 500 SKUs (3,001 SKUs: 7 chunks).
    budget = 2 if connection.vendor == "postgresql" else 2 * 7
    with django_assert_max_num_queries(budget):
        prices = pricing().prices_get(skus=[*skus, "NOPE"], currency="EUR")
    assert len(prices) == 3000
    assert prices["S-00000"].amount == Decimal("1.50") and prices["S-00000"].compare_at == Decimal("2.00")
    assert prices["S-00001"].amount == Decimal("2.00") and prices["S-00001"].compare_at is None


@pytest.mark.parametrize("currency", ["GBP", "eur", "EURO", "", "JPY"])
def test_a_currency_the_shop_does_not_sell_in_is_refused(currency: str) -> None:
    with pytest.raises(UnknownCurrency) as caught:
        pricing().prices_get(skus=["A"], currency=currency)
    assert caught.value.code == "unknown_currency"


def test_other_currencies_use_their_minor_units(settings) -> None:
    settings.SHOP_CURRENCIES = ["EUR", "JPY", "KWD"]
    price_make("A", "1500", currency="JPY")
    price_make("A", "1.234", currency="KWD")
    assert str(pricing().prices_get(skus=["A"], currency="JPY")["A"].amount) == "1500"
    assert str(pricing().prices_get(skus=["A"], currency="KWD")["A"].amount) == "1.234"


def test_a_valid_price_list_overrides_the_base_price_and_shows_it_as_compare_at() -> None:
    price_make("A", "20.00")
    price_make("B", "30.00", compare_at="40.00")
    price_list_make("Sale", items=[("A", "EUR", "15.00"), ("B", "EUR", "25.00"), ("C", "EUR", "9.00")])
    prices = pricing().prices_get(skus=["A", "B", "C"], currency="EUR")
    assert (prices["A"].amount, prices["A"].compare_at) == (Decimal("15.00"), Decimal("20.00"))
    assert (prices["B"].amount, prices["B"].compare_at) == (Decimal("25.00"), Decimal("40.00"))
    assert (prices["C"].amount, prices["C"].compare_at) == (Decimal("9.00"), None)


def test_price_lists_apply_only_inside_their_window_and_when_active() -> None:
    price_make("A", "20.00")
    price_list_make("Past", items=[("A", "EUR", "1.00")], valid_until=now() - hours(1))
    price_list_make("Future", items=[("A", "EUR", "2.00")], valid_from=now() + hours(1))
    price_list_make("Off", items=[("A", "EUR", "3.00")], active=False)
    price_list_make("Other currency", items=[("A", "USD", "4.00")])
    assert pricing().prices_get(skus=["A"], currency="EUR")["A"].amount == Decimal("20.00")
    price_list_make("Now", items=[("A", "EUR", "5.00")], valid_from=now() - hours(1), valid_until=now() + hours(1))
    assert pricing().prices_get(skus=["A"], currency="EUR")["A"].amount == Decimal("5.00")


def test_the_lowest_priority_number_wins_and_ties_go_to_the_older_list() -> None:
    price_make("A", "20.00")
    price_list_make("Low", priority=50, items=[("A", "EUR", "11.00")])
    price_list_make("Tie old", priority=10, items=[("A", "EUR", "12.00")])
    price_list_make("Tie new", priority=10, items=[("A", "EUR", "13.00")])
    assert pricing().prices_get(skus=["A"], currency="EUR")["A"].amount == Decimal("12.00")


# --- quotes ----------------------------------------------------------------


def test_a_quote_without_discounts(catalog) -> None:
    price_make("A", "19.90")
    price_make("B", "0.05")
    result = quote(("A", 3), ("B", 1))
    assert [(l.sku, l.quantity, l.unit_price, l.discount, l.total) for l in result.lines] == [
        ("A", 3, Decimal("19.90"), Decimal("0.00"), Decimal("59.70")),
        ("B", 1, Decimal("0.05"), Decimal("0.00"), Decimal("0.05")),
    ]
    assert (result.subtotal, result.discount_total, result.total, result.applied) == (
        Decimal("59.75"), Decimal("0.00"), Decimal("59.75"), ()
    )


def test_lines_of_the_same_sku_are_merged(catalog) -> None:
    price_make("A", "2.00")
    price_make("B", "1.00")
    result = quote(("A", 1), ("B", 1), ("A", 2))
    assert [(l.sku, l.quantity) for l in result.lines] == [("A", 3), ("B", 1)]
    with pytest.raises(InvalidInput) as caught:
        quote(("A", 60), ("A", 40))  # 100 in all: above the per-line maximum
    assert [e.field for e in caught.value.errors] == ["lines[1].quantity"]


@pytest.mark.parametrize("quantity", [0, -1, 100, 10**30, True, 1.5, "2"])
def test_a_quantity_must_be_a_whole_number_within_the_line_maximum(catalog, quantity: object) -> None:
    price_make("A", "2.00")
    with pytest.raises(InvalidInput) as caught:
        quote(("A", quantity))  # type: ignore[arg-type]
    assert caught.value.code == "invalid_lines"
    assert [(e.field, e.code) for e in caught.value.errors] == [("lines[0].quantity", "invalid_quantity")]


@pytest.mark.parametrize("sku", ["", "a b", "-A", "x" * 65, None])
def test_a_line_sku_must_follow_the_shops_sku_rule(catalog, sku: object) -> None:
    price_make("A", "2.00")
    with pytest.raises(InvalidInput) as caught:
        quote(("A", 1), (sku, 1))  # type: ignore[arg-type]
    assert caught.value.code == "invalid_lines"
    assert [(e.field, e.code) for e in caught.value.errors] == [("lines[1].sku", "invalid_sku")]


def test_the_line_maximum_is_a_setting(catalog, settings) -> None:
    settings.CHECKOUT_MAX_LINE_QUANTITY = 5
    price_make("A", "2.00")
    assert quote(("A", 5)).total == Decimal("10.00")
    with pytest.raises(InvalidInput):
        quote(("A", 6))


def test_skus_without_a_price_are_all_named(catalog) -> None:
    price_make("A", "2.00")
    price_make("C", "2.00", currency="USD")
    with pytest.raises(PriceNotFound) as caught:
        quote(("D", 1), ("A", 1), ("C", 1))
    assert caught.value.skus == ("C", "D")
    assert caught.value.extra == {"skus": ["C", "D"], "currency": "EUR"}


def test_an_empty_quote_is_zero(catalog) -> None:
    result = quote()
    assert (result.lines, result.total) == ((), Decimal("0.00"))


def test_line_promotions_by_sku_and_by_category_best_one_per_line(catalog) -> None:
    catalog.variants_add(["A", "B"], category_path="shirts")
    price_make("A", "20.00")
    price_make("B", "10.00")
    price_make("C", "10.00")
    promotion_make("Shirts 10%", target="category", category_slug="shirts")
    promotion_make("A 5 off", kind="fixed", value="5", currency="EUR", skus=["A"])
    promotion_make("Expired", value="90", skus=["B"], valid_until=now() - hours(1))
    promotion_make("USD only", kind="fixed", value="9", currency="USD", skus=["C"])
    result = quote(("A", 1), ("B", 2), ("C", 1))
    assert [l.discount for l in result.lines] == [Decimal("5.00"), Decimal("2.00"), Decimal("0.00")]
    assert {(a.code, a.amount) for a in result.applied} == {("A 5 off", Decimal("5.00")), ("Shirts 10%", Decimal("2.00"))}
    assert catalog.count("category_skus_get") == 1


def test_a_cart_promotion_needs_its_threshold(catalog) -> None:
    price_make("A", "40.00")
    promotion_make("10 off from 50", kind="fixed", value="10", currency="EUR", target="subtotal", min_subtotal=Decimal(50))
    assert quote(("A", 1)).applied == ()
    result = quote(("A", 2))
    assert [(a.code, a.amount) for a in result.applied] == [("10 off from 50", Decimal("10.00"))]
    assert result.total == Decimal("70.00")


# --- vouchers in quotes ----------------------------------------------------


def test_a_voucher_code_is_case_insensitive(catalog) -> None:
    price_make("A", "40.00")
    voucher_make("WELCOME10")
    result = quote(("A", 1), voucher_code="  welcome10 ")
    assert result.voucher_code == "WELCOME10"
    assert [(a.kind, a.code, a.amount) for a in result.applied] == [("voucher", "WELCOME10", Decimal("4.00"))]
    assert result.total == Decimal("36.00")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"active": False}, "inactive"),
        ({"valid_from": "future"}, "not_yet_valid"),
        ({"valid_until": "past"}, "expired"),
        ({"usage_limit": 1, "times_used": 1}, "exhausted"),
        ({"min_subtotal": Decimal("50"), "currency": "EUR"}, "minimum_not_met"),
        ({"kind": "fixed", "value": "5", "currency": "USD"}, "currency_mismatch"),
    ],
)
def test_a_voucher_that_cannot_be_used_says_why(catalog, fields: dict, reason: str) -> None:
    price_make("A", "40.00")
    fields = dict(fields)
    if fields.get("valid_from") == "future":
        fields["valid_from"] = now() + hours(1)
    if fields.get("valid_until") == "past":
        fields["valid_until"] = now() - hours(1)
    voucher_make("CODE", **fields)
    with pytest.raises(VoucherInvalid) as caught:
        quote(("A", 1), voucher_code="CODE")
    assert (caught.value.reason, caught.value.code) == (reason, f"voucher_{reason}")


def test_an_unknown_or_absurd_voucher_code_is_unknown(catalog) -> None:
    price_make("A", "40.00")
    for code in ("NOPE", "X" * 10_000):
        with pytest.raises(VoucherInvalid) as caught:
            quote(("A", 1), voucher_code=code)
        assert caught.value.code == "voucher_unknown"
    assert quote(("A", 1), voucher_code="  ").voucher_code is None


def test_the_per_customer_limit_applies_when_the_email_is_known(catalog) -> None:
    price_make("A", "40.00")
    voucher_make("ONCE", per_customer_limit=1)
    pricing().voucher_redeem(code="ONCE", reference="O-1", email="Ann@Example.com", currency="EUR", subtotal=Decimal(40))
    with pytest.raises(VoucherInvalid) as caught:
        quote(("A", 1), voucher_code="once", email="ann@example.com")
    assert caught.value.reason == "exhausted"
    assert quote(("A", 1), voucher_code="once", email="bob@example.com").total == Decimal("36.00")
    assert quote(("A", 1), voucher_code="once").total == Decimal("36.00")


# --- redeem and release ----------------------------------------------------


def test_redeem_is_idempotent_per_reference_and_release_gives_the_use_back() -> None:
    voucher = voucher_make("SINGLE", usage_limit=1)
    args = {"code": "single", "email": "a@example.com", "currency": "EUR", "subtotal": Decimal(10)}
    first = pricing().voucher_redeem(reference="O-1", **args)
    again = pricing().voucher_redeem(reference="O-1", **args)
    assert first == again
    assert (first.code, first.reference, first.email) == ("SINGLE", "O-1", "a@example.com")
    voucher.refresh_from_db()
    assert voucher.times_used == 1
    with pytest.raises(VoucherInvalid) as caught:
        pricing().voucher_redeem(reference="O-2", **args)
    assert caught.value.reason == "exhausted"

    pricing().voucher_release(reference="O-1")
    pricing().voucher_release(reference="O-1")
    pricing().voucher_release(reference="never-redeemed")
    voucher.refresh_from_db()
    assert voucher.times_used == 0
    pricing().voucher_redeem(reference="O-2", **args)
    voucher.refresh_from_db()
    assert voucher.times_used == 1


def test_a_reference_holds_one_voucher_but_may_switch_after_a_release() -> None:
    first, second = voucher_make("FIRST"), voucher_make("SECOND")
    args = {"email": "a@example.com", "currency": "EUR", "subtotal": Decimal(10)}
    pricing().voucher_redeem(code="FIRST", reference="O-1", **args)
    with pytest.raises(Conflict):
        pricing().voucher_redeem(code="SECOND", reference="O-1", **args)
    pricing().voucher_release(reference="O-1")
    assert pricing().voucher_redeem(code="SECOND", reference="O-1", **args).code == "SECOND"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.times_used, second.times_used) == (0, 1)


def test_redeem_checks_the_voucher_like_a_quote_does() -> None:
    voucher_make("MIN50", min_subtotal=Decimal(50), currency="EUR")
    args = {"code": "MIN50", "reference": "O-1", "email": "a@example.com", "currency": "EUR"}
    with pytest.raises(VoucherInvalid) as caught:
        pricing().voucher_redeem(subtotal=Decimal("49.99"), **args)
    assert caught.value.reason == "minimum_not_met"
    with pytest.raises(VoucherInvalid) as caught:
        pricing().voucher_redeem(**{**args, "code": "NOPE"}, subtotal=Decimal(50))
    assert caught.value.reason == "unknown"
    with pytest.raises(UnknownCurrency):
        pricing().voucher_redeem(**{**args, "currency": "eur"}, subtotal=Decimal(50))
    assert pricing().voucher_redeem(subtotal=Decimal(50), **args).reference == "O-1"
