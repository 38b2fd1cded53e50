"""Whatever a client sends, the API answers with a problem document: never a 500, never an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_a_deeply_nested_json_body_is_a_400_parse_error_not_a_500(api_client):
    body = "[" * 100_000 + "]" * 100_000
    response = api_client.post("/api/v1/checkout/carts/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert response["Content-Type"] == "application/problem+json"


def test_a_deeply_nested_contract_call_is_a_400(settings):
    settings.CONTRACTS_SERVE_TOKENS = {"checkout": "t" * 40}
    response = Client().post(
        "/internal/contracts/catalog/variants_get",
        "[" * 100_000,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + "t" * 40,
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_contract_call"


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_route_is_a_problem_document_whatever_debug_says(debug):
    with override_settings(DEBUG=debug):
        response = Client(raise_request_exception=False).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json" and response.json()["code"] == "not_found"
