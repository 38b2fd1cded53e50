"""Storefront API of pricing: /api/v1/pricing/prices/ and /api/v1/pricing/quotes/, and every bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.pricing.models import Voucher, VoucherRedemption
from modules.pricing.tests.factories import price_make, promotion_make, voucher_make

pytestmark = pytest.mark.django_db

PRICES = "/api/v1/pricing/prices/"
QUOTES = "/api/v1/pricing/quotes/"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


# --- prices ----------------------------------------------------------------


def test_prices_of_several_skus(api_client) -> None:
    price_make("A", "19.9", compare_at="24.90")
    price_make("B", "5.00")
    response = api_client.get(PRICES, {"sku": ["B", "A", "B"], "currency": "EUR"})
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"sku": "B", "amount": "5.00", "currency": "EUR", "compare_at": None},
            {"sku": "A", "amount": "19.90", "currency": "EUR", "compare_at": "24.90"},
        ],
    }


def test_a_sku_without_a_price_is_named(api_client) -> None:
    price_make("A", "1.00")
    # Well-formed SKUs that have no price are not there: 404 (400 is for queries that break the schema).
    body = _problem(api_client.get(PRICES, {"sku": ["A", "Z", "Y"], "currency": "EUR"}), 404, "price_not_found")
    assert (body["skus"], body["currency"]) == (["Z", "Y"], "EUR")


@pytest.mark.parametrize("currency", ["eur", "GBP", "EURO", ""])
def test_prices_in_an_unknown_currency_are_refused(api_client, currency: str) -> None:
    response = api_client.get(PRICES, {"sku": "A", "currency": currency})
    assert response.status_code == 400
    assert response.json()["code"] in ("unknown_currency", "validation_error")


@pytest.mark.parametrize(
    "query",
    [{"currency": "EUR"}, {"sku": "A"}, {"sku": [f"S{i}" for i in range(101)], "currency": "EUR"}, {"sku": "X" * 65, "currency": "EUR"}],
    ids=["no sku", "no currency", "101 skus", "long sku"],
)
def test_a_bad_price_query_is_a_validation_error(api_client, query: dict) -> None:
    _problem(api_client.get(PRICES, query), 400, "validation_error")


# --- quotes ----------------------------------------------------------------


def test_a_quote_with_a_promotion_and_a_voucher(api_client, catalog) -> None:
    price_make("A", "20.00")
    price_make("B", "7.50")
    promotion_make("A 10%", skus=["A"])
    voucher_make("SAVE5", kind="fixed", value="5", currency="EUR")
    body = {"currency": "EUR", "lines": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}], "voucher_code": "save5"}
    response = api_client.post(QUOTES, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "currency": "EUR",
        "lines": [
            {"sku": "A", "quantity": 2, "unit_price": "20.00", "discount": "8.14", "total": "31.86"},
            {"sku": "B", "quantity": 1, "unit_price": "7.50", "discount": "0.86", "total": "6.64"},
        ],
        "subtotal": "47.50",
        "discount_total": "9.00",
        "total": "38.50",
        "applied": [{"promotion": "A 10%", "amount": "4.00"}, {"code": "SAVE5", "amount": "5.00"}],
        "voucher_code": "SAVE5",
    }
    assert Voucher.objects.get().times_used == 0  # a quote takes no use
    assert not VoucherRedemption.objects.exists()


def test_a_quote_without_a_voucher(api_client, catalog) -> None:
    price_make("A", "20.00")
    for extra in ({}, {"voucher_code": None}, {"voucher_code": ""}):
        response = api_client.post(QUOTES, {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1}], **extra}, format="json")
        assert response.status_code == 200
        assert (response.json()["total"], response.json()["applied"]) == ("20.00", [])


def _line(quantity: object) -> dict:
    return {"currency": "EUR", "lines": [{"sku": "A", "quantity": quantity}]}


@pytest.mark.parametrize(
    "body",
    [
        _line(0),
        _line(-1),
        _line(100),
        _line(10**40),
        _line(1.5),
        _line(2.0),
        _line("2"),
        _line(True),
        _line(None),
        {"currency": "EUR"},
        {"currency": "EUR", "lines": "A"},
        {"currency": "EUR", "lines": [{"sku": "A"}]},
        {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1, "price": "0.01"}]},
        {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1}], "total": "0.00"},
        {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1}], "voucher_code": "X" * 10_000},
        {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1}], "voucher_code": 42},
        {"currency": "EUR", "lines": [{"sku": 7, "quantity": 1}]},
        {"currency": True, "lines": [{"sku": "A", "quantity": 1}]},
        {"currency": "EUR", "lines": [{"sku": "X" * 10_000, "quantity": 1}]},
        {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1}] * 501},
        {"lines": [{"sku": "A", "quantity": 1}]},
        ["not", "an", "object"],
    ],
)
def test_a_bad_quote_body_is_a_validation_error(api_client, catalog, body: object) -> None:
    price_make("A", "1.00")
    body = _problem(api_client.post(QUOTES, body, format="json"), 400, "validation_error")
    assert body["errors"] and all({"field", "code", "detail"} == set(e) for e in body["errors"])


@pytest.mark.parametrize("raw", ['{"currency":"EUR","lines":[{"sku":"A","quantity":NaN}]}', '{"currency":"EUR","lines":[{"sku":"A","quantity":Infinity}]}', '{"currency":"EUR","lines":[{"sku":"A","quantity":1e400}]}', "{not json"])
def test_nan_infinity_and_broken_json_are_refused(api_client, catalog, raw: str) -> None:
    price_make("A", "1.00")
    response = api_client.post(QUOTES, raw, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("currency", ["eur", "GBP", "XXX", "E"])
def test_a_quote_in_an_unknown_or_lowercase_currency_is_refused(api_client, catalog, currency: str) -> None:
    price_make("A", "1.00")
    body = _problem(api_client.post(QUOTES, {**_line(1), "currency": currency}, format="json"), 400, "unknown_currency")
    assert body["currency"] == currency


def test_a_quote_naming_skus_without_a_price(api_client, catalog) -> None:
    price_make("A", "1.00")
    body = {"currency": "EUR", "lines": [{"sku": "A", "quantity": 1}, {"sku": "GHOST", "quantity": 1}]}
    # The body is well formed; the shop's data refuses it: 422 (400 is for bodies that break the schema).
    problem = _problem(api_client.post(QUOTES, body, format="json"), 422, "price_not_found")
    assert problem["skus"] == ["GHOST"]


def test_lines_of_one_sku_over_the_maximum_together_are_a_422(api_client, catalog) -> None:
    price_make("A", "1.00")
    body = {"currency": "EUR", "lines": [{"sku": "A", "quantity": 60}, {"sku": "A", "quantity": 60}]}
    problem = _problem(api_client.post(QUOTES, body, format="json"), 422, "invalid_lines")
    assert [e["field"] for e in problem["errors"]] == ["lines[1].quantity"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [({}, "voucher_unknown"), ({"usage_limit": 1, "times_used": 1}, "voucher_exhausted"), ({"min_subtotal": Decimal(50), "currency": "EUR"}, "voucher_minimum_not_met")],
)
def test_an_unusable_voucher_has_its_own_code(api_client, catalog, fields: dict, code: str) -> None:
    price_make("A", "1.00")
    if fields:
        voucher_make("CODE", **fields)
    problem = _problem(api_client.post(QUOTES, {**_line(1), "voucher_code": "code"}, format="json"), 422, code)
    assert problem["reason"] == code.removeprefix("voucher_")
