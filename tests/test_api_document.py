"""The committed OpenAPI document is exactly the API: any change to the API shows in docs/openapi.yaml."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"


@pytest.mark.django_db
def test_the_committed_api_document_is_what_the_code_publishes():
    out = StringIO()
    call_command("spectacular", "--validate", stdout=out)
    assert DOCUMENT.read_text() == out.getvalue(), "the API changed: run `make schema` and commit docs/openapi.yaml"
