"""Customers' test helpers: register, read the emailed link, sign in — all through the public API."""

from __future__ import annotations

import re

import pytest
from django.core import mail

API = "/api/v1/customers"
PASSWORD = "correct horse battery staple"


def last_link_token(to: str) -> str:
    """Return the token of the latest link emailed to ``to``."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"\?token=(\S+)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no link was emailed to {to}: {[m.to for m in mail.outbox]}")


def bearer(access: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


@pytest.fixture
def register(api_client):
    def run(email: str = "ada@example.com", password: str = PASSWORD, confirm: bool = True, **extra):
        answer = api_client.post(f"{API}/register/", {"email": email, "password": password, **extra}, format="json")
        assert answer.status_code == 202, answer.json()
        if confirm:
            confirmed = api_client.post(f"{API}/email/confirm/", {"token": last_link_token(email.lower())}, format="json")
            assert confirmed.status_code == 200, confirmed.json()
        return answer

    return run


@pytest.fixture
def sign_in(api_client):
    def run(email: str = "ada@example.com", password: str = PASSWORD) -> dict:
        answer = api_client.post(f"{API}/sign-in/", {"email": email, "password": password}, format="json")
        assert answer.status_code == 200, answer.json()
        return answer.json()

    return run


@pytest.fixture
def customer(db, register, sign_in) -> dict:
    """A registered, confirmed, signed-in customer: their tokens."""
    register()
    return sign_in()
