"""The API document states what every operation can answer: problem documents with codes, shapes by variant, links."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from kernel import schema as kernel_schema

PROBLEM = "application/problem+json"


def _document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def document() -> dict:
    return _document()


def _operations(document: dict):
    for path, item in document["paths"].items():
        if path.startswith("/api/v1/"):
            for method, operation in item.items():
                yield path, method, operation


def _codes(response: dict) -> list[str]:
    (problem,) = response["content"].values()
    return problem["schema"]["allOf"][1]["properties"]["code"]["enum"]


def test_every_operation_documents_what_any_request_may_be_answered(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert {"406", "503"} <= set(responses), (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), (method, path)
            assert {"parse_error", "validation_error"} <= set(_codes(responses["400"])), (method, path)
        if any(p["in"] == "path" for p in operation.get("parameters", ())):
            assert "not_found" in _codes(responses["404"]), (method, path)
        assert "Retry-After" in responses["503"]["headers"]


def test_every_error_answer_is_a_problem_document_with_its_codes(document):
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == [PROBLEM], (method, path, status)
                (content,) = response["content"].values()
                assert content["schema"]["allOf"][0] == {"$ref": "#/components/schemas/Problem"}
                assert _codes(response), (method, path, status)
    assert {"type", "title", "status", "detail", "code"} == set(document["components"]["schemas"]["Problem"]["required"])


def test_a_rule_the_schema_cannot_state_is_documented_as_a_422(document):
    listing = document["paths"]["/api/v1/catalog/products/"]["get"]["responses"]
    assert _codes(listing["422"]) == ["currency_required", "ordering_too_broad"]
    assert "currency_required" not in _codes(listing["400"])
    prices = document["paths"]["/api/v1/pricing/prices/"]["get"]["responses"]
    assert _codes(prices["404"]) == ["price_not_found"]


def test_prices_and_stock_are_optional_members_present_only_with_a_currency(document):
    schemas = document["components"]["schemas"]
    for name, optional in (("Product", {"price", "in_stock"}), ("Variant", {"price", "available"})):
        assert optional <= set(schemas[name]["properties"])
        assert not optional & set(schemas[name]["required"]), name
        assert all("x-optional" not in prop for prop in schemas[name]["properties"].values())


def test_request_bodies_refuse_unknown_fields(document):
    assert document["components"]["schemas"]["QuoteRequest"]["additionalProperties"] is False


def test_the_constraints_the_server_enforces_are_stated(document):
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/inventory/availability/"]["get"]["parameters"]}
    assert parameters["sku"]["maxItems"] == 100 and parameters["sku"]["items"]["pattern"].endswith("$")
    listing = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/catalog/products/"]["get"]["parameters"]}
    assert listing["currency"]["enum"] == ["EUR", "USD"]
    assert listing["page"]["minimum"] == 1 and "price" in listing["ordering"]["enum"]


def test_a_link_feeds_one_answer_into_the_next_call(monkeypatch):
    monkeypatch.setattr(kernel_schema, "_LINKS", {})
    kernel_schema.api_link_add(
        source="v1_catalog_products_list",
        status=200,
        name="ProductPrices",
        target="v1_pricing_prices_retrieve",
        parameters={"sku": "$response.body#/results/0/variants/0/sku"},
    )
    links = _document()["paths"]["/api/v1/catalog/products/"]["get"]["responses"]["200"]["links"]
    assert links["ProductPrices"]["operationId"] == "v1_pricing_prices_retrieve"


def test_a_link_to_an_unknown_operation_fails_the_document(monkeypatch):
    monkeypatch.setattr(kernel_schema, "_LINKS", {})
    kernel_schema.api_link_add(source="v1_catalog_products_list", status=200, name="Nowhere", target="nope", parameters={})
    with pytest.raises(ValueError, match="no such operation"):
        _document()
