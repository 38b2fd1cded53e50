"""A browser storefront on a configured origin can call the API; any other origin gets no CORS grant.

Real preflight requests (``OPTIONS`` with ``Origin`` and
``Access-Control-Request-*``) go over HTTP to a live server, as a browser
sends them.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
STOREFRONT = "https://shop.example.com"
ELSEWHERE = "https://evil.example.net"


def _request(base_url: str, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _preflight(base_url: str, origin: str, *, path: str = "/api/v1/checkout/carts/") -> http.client.HTTPResponse:
    return _request(
        base_url,
        "OPTIONS",
        path,
        {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key, order-token",
        },
    )


@pytest.fixture
def storefront_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [STOREFRONT]


@pytest.mark.django_db(transaction=True)
def test_a_preflight_from_a_configured_origin_is_granted_with_the_storefront_headers(live_server, storefront_allowed):
    response = _preflight(live_server.url, STOREFRONT)
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") == STOREFRONT
    allowed = {h.strip().lower() for h in response.getheader("Access-Control-Allow-Headers", "").split(",")}
    assert {"content-type", "idempotency-key", "order-token"} <= allowed
    assert "POST" in response.getheader("Access-Control-Allow-Methods", "")
    assert response.getheader("Access-Control-Allow-Credentials") is None  # no cookies across origins


@pytest.mark.django_db(transaction=True)
def test_a_preflight_from_an_unconfigured_origin_is_not_granted(live_server, storefront_allowed):
    response = _preflight(live_server.url, ELSEWHERE)
    assert response.getheader("Access-Control-Allow-Origin") is None
    assert response.getheader("Access-Control-Allow-Headers") is None


@pytest.mark.django_db(transaction=True)
def test_an_answer_to_a_configured_origin_exposes_the_degraded_header_and_the_etag(live_server, storefront_allowed):
    response = _request(live_server.url, "GET", "/api/v1/catalog/categories/", {"Origin": STOREFRONT})
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") == STOREFRONT
    exposed = {h.strip().lower() for h in response.getheader("Access-Control-Expose-Headers", "").split(",")}
    assert {"commerce-degraded", "etag", "retry-after"} <= exposed


@pytest.mark.django_db(transaction=True)
def test_only_the_api_is_shared_across_origins(live_server, storefront_allowed):
    response = _preflight(live_server.url, STOREFRONT, path="/admin/login/")
    assert response.getheader("Access-Control-Allow-Origin") is None


def _allowed_origins(environ: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CORS_ALLOWED_ORIGINS"} | environ
    env |= {"DJANGO_SETTINGS_MODULE": "commerce.settings", "SECRET_KEY": "cors-test-not-a-secret-" + "x" * 30}
    code = "from django.conf import settings; print(','.join(settings.CORS_ALLOWED_ORIGINS))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_no_origin_is_allowed_by_default_and_the_environment_lists_them():
    assert _allowed_origins({}) == ""
    configured = f"{STOREFRONT}, https://www.shop.example.com"
    assert _allowed_origins({"CORS_ALLOWED_ORIGINS": configured}) == f"{STOREFRONT},https://www.shop.example.com"
