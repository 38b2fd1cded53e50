"""No outside service can hold a worker or a request past its limit."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.core.mail import get_connection, send_mail

from commerce.celery import app
from commerce.tests.test_settings import manage
from tests.e2e.conftest import new_cart, shop  # noqa: F401  the real shop, loaded through the import commands


@pytest.fixture
def silent_mail_server():
    """A mail server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    server.close()


def test_a_silent_mail_server_is_given_up_on_after_email_timeout(silent_mail_server, settings):
    settings.EMAIL_TIMEOUT = 1
    # No timeout passed: the backend takes EMAIL_TIMEOUT from the settings, as the confirmation email does.
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=silent_mail_server)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, OSError)):
        send_mail("Your order", "…", "shop@example.com", ["ada@example.com"], connection=connection)
    assert time.monotonic() - started < 5


def test_mail_server_and_time_limits_come_from_the_environment():
    script = (
        "from django.conf import settings as s; from commerce.celery import app; "
        "print(s.EMAIL_TIMEOUT, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, app.conf.task_soft_time_limit, app.conf.task_time_limit)"
    )
    result = manage(
        "shell", "-c", script, DEBUG="1", EMAIL_TIMEOUT="7", EMAIL_HOST="mail.example.com", EMAIL_PORT="587",
        EMAIL_USE_TLS="1", CELERY_TASK_SOFT_TIME_LIMIT="20", CELERY_TASK_TIME_LIMIT="30",
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["7", "mail.example.com", "587", "True", "20", "30"], result.stderr


def test_celery_tasks_have_soft_and_hard_time_limits():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_silent_payment_provider_is_given_up_on_after_its_timeout(api_client, shop, new_cart, settings):  # noqa: F811
    """Stripe (the real library, against the fake server) accepts and never answers: 503 within the limit, nothing held."""
    from modules.payments.tests.fake_stripe.server import FakeStripe

    with FakeStripe(hang_seconds=30.0) as fake:
        settings.PAYMENTS_PROVIDER = "stripe"
        settings.STRIPE_API_KEY, settings.STRIPE_WEBHOOK_SECRET = fake.secret_key, fake.webhook_secret
        settings.STRIPE_API_BASE = fake.api_base
        settings.STRIPE_TIMEOUT_SECONDS = 0.5
        token = new_cart(MUG_1=1)
        fake.fail_next("hang", times=10)  # past the library's own retries
        started = time.monotonic()
        answer = api_client.post("/api/v1/payments/sessions/", {"cart": token, "payment_method": "pm_card_visa"}, format="json")
        elapsed = time.monotonic() - started
    assert answer.status_code == 503 and answer.json()["code"] == "payment_provider_unavailable"
    assert elapsed < 10, f"held {elapsed:.1f} s"  # the timeout times the library's retries, not the provider's 30 s
    assert all(intent["amount_capturable"] == 0 for intent in fake.state.intents.values())
