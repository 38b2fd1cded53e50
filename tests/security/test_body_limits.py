"""Every request body has a limit, checked before it is read: the admin's too, before anyone signed in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_oversized_body_to_the_admin_login_is_refused_before_it_is_read(client, settings):
    settings.ADMIN_MAX_REQUEST_BODY_BYTES = 1000
    response = client.post("/admin/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_the_admin_limit_leaves_room_for_csv_imports(client, settings):
    assert settings.ADMIN_MAX_REQUEST_BODY_BYTES >= 16 * 1024 * 1024 > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post("/admin/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 200  # the login page answers (wrong credentials), no 413


def test_an_oversized_api_body_is_a_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR", "pad": "x" * 200}, format="json")
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
