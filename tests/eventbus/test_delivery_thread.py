"""The embedded mode's delivery thread: no subscriber's latency inside the request that published."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends.base import BaseEmailBackend

from commerce.eventbus.delivery_thread import delivery_thread
from commerce.eventbus.models import Delivery
from tests.e2e.conftest import complete_body, new_cart, shop  # noqa: F401  the real shop

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


class StallingEmailBackend(BaseEmailBackend):
    """A mail server that accepts the connection and then does not answer until told to."""

    entered = threading.Event()
    release = threading.Event()
    sent: list[str] = []

    def send_messages(self, email_messages):
        StallingEmailBackend.entered.set()
        StallingEmailBackend.release.wait(30)
        StallingEmailBackend.sent.extend(m.subject for m in email_messages)
        return len(email_messages)


def test_a_stalled_mail_server_does_not_hold_the_checkout(api_client, shop, new_cart, settings):  # noqa: F811
    settings.EVENTS_EMBEDDED_DELIVERY = "thread"
    settings.EMAIL_BACKEND = "tests.eventbus.test_delivery_thread.StallingEmailBackend"
    token = new_cart(TEE_M=1)
    started = time.monotonic()
    response = api_client.post(
        f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY="stall"
    )
    answered_after = time.monotonic() - started
    try:
        assert response.status_code == 201 and response.json()["status"] == "placed"
        assert StallingEmailBackend.entered.wait(10)  # the email is on its way, in the delivery thread...
        assert answered_after < 5  # ...and the customer did not wait for it
    finally:
        StallingEmailBackend.release.set()
    assert delivery_thread.drain(30)
    number = response.json()["number"]
    assert StallingEmailBackend.sent == [f"Your order {number}"]
    order = api_client.get(f"/api/v1/checkout/orders/{number}/", {"access_token": response.json()["access_token"]})
    assert order.json()["status"] == "paid"
    states = {state for alias in django_settings.DATABASES for state in Delivery.objects.using(alias).values_list("state", flat=True)}
    assert states == {"delivered"}


def test_a_forked_process_starts_its_own_thread(monkeypatch):
    ran = threading.Event()
    delivery_thread.submit(work=lambda alias, ids: ran.set(), alias="default", delivery_ids=[])
    assert ran.wait(5)
    import os

    real_pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: real_pid + 100000)  # as a gunicorn worker after fork sees it
    ran.clear()
    delivery_thread.submit(work=lambda alias, ids: ran.set(), alias="default", delivery_ids=[])
    assert ran.wait(5)
    monkeypatch.undo()
    delivery_thread.submit(work=lambda alias, ids: None, alias="default", delivery_ids=[])  # the real pid again
    assert delivery_thread.drain(5)
