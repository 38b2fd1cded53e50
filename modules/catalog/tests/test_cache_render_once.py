"""A page past its fresh time is rendered anew by one request; the others answer with the copy, within the bound."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from modules.catalog.tests.test_cache import get

FRESH = 0.3


@pytest.fixture
def shop(db, settings):
    settings.CATALOG_CACHE_SECONDS = FRESH
    cache.clear()
    call_command("seed_demo", products=10, stdout=StringIO())


def test_an_expired_page_is_rendered_once_while_the_others_get_the_copy(api_client, shop, monkeypatch):
    body, cold = get(api_client, currency="EUR", page_size=5)
    assert cold > 0 and get(api_client, currency="EUR", page_size=5)[1] == 0  # fresh: from the cache
    time.sleep(FRESH + 0.05)
    # Past its fresh time, another request is rendering it: this one answers with the copy, running no SQL.
    monkeypatch.setattr("modules.catalog.cache._render_claim", lambda key: False)
    assert get(api_client, currency="EUR", page_size=5) == (body, 0)
    # The request that claims the rendering renders it anew.
    monkeypatch.setattr("modules.catalog.cache._render_claim", lambda key: True)
    assert get(api_client, currency="EUR", page_size=5)[1] > 0


def test_a_copy_is_never_served_past_twice_its_fresh_time(api_client, shop, monkeypatch):
    get(api_client, currency="EUR", page_size=5)
    time.sleep(2 * FRESH + 0.05)
    monkeypatch.setattr("modules.catalog.cache._render_claim", lambda key: False)
    assert get(api_client, currency="EUR", page_size=5)[1] > 0  # gone: rendered, whoever claimed it


def test_only_one_request_claims_the_rendering(shop):
    from modules.catalog.cache import _render_claim

    assert _render_claim("catalog:response:1:abc") is True
    assert _render_claim("catalog:response:1:abc") is False
