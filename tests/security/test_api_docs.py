"""The API docs page loads nothing from another origin: it works on a machine without internet access."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_only_scripts_and_styles_served_by_the_project(settings):
    settings.DEBUG = False
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert assets, "the page names its assets"
    for asset in assets:
        assert not re.match(r"^(https?:)?//", asset), f"third-party asset: {asset}"
        if asset.endswith((".js", ".css", ".png")):
            served = client.get(asset)
            assert served.status_code == 200, asset  # by the app itself, DEBUG off (WhiteNoise)
