"""The readiness probe names what fails, never how to reach it."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connections


@pytest.mark.django_db
def test_readyz_names_the_failing_database_without_its_error_text(client, monkeypatch, caplog):
    def refuse():
        raise OperationalError('connection to server at "db.internal.example" (10.1.2.3), port 5432 failed')

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failures"] == ["database:default"]
    assert b"db.internal.example" not in response.content and b"5432" not in response.content
    assert "db.internal.example" in caplog.text  # the operator still finds it in the log
