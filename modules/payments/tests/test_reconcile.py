"""Reconciliation settles what is stuck: with the provider's word, and never leaving money without an order."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from modules.payments.models import Payment, Refund, TestIntent
from modules.payments.services.reconcile import payments_reconcile
from modules.payments.services.sessions import session_attach
from modules.payments.services.settlement import payment_capture
from modules.payments.tests.conftest import order_add

LATER = timedelta(days=1)


def _attach(session_id: str, number: str) -> None:
    session_attach(session_id=session_id, reference="cart-1", order_number=number, amount=Decimal("48.30"), currency="EUR")


def _intent(payment: Payment) -> TestIntent:
    return TestIntent.objects.get(intent_id=Payment.objects.get(pk=payment.pk).intent_id)


def test_an_authorization_nobody_came_back_for_is_cancelled(open_session, checkout):
    open_session()
    payment = Payment.objects.get()
    assert payments_reconcile() == []  # not past the threshold yet
    report = payments_reconcile(now=timezone.now() + LATER)
    assert report == [f"{payment.session_id}: authorized → canceled: authorized without an order: cancelled"]
    assert _intent(payment).status == "canceled"


def test_an_authorization_of_a_placed_order_is_left_for_its_capture(open_session, checkout):
    _attach(open_session().json()["id"], "CO-1")
    order_add(checkout, "CO-1")
    assert payments_reconcile(now=timezone.now() + LATER) == []
    assert Payment.objects.get().status == "authorized"


def test_money_captured_without_an_order_is_refunded_and_reported(open_session, checkout):
    _attach(open_session().json()["id"], "CO-GONE")
    payment_capture(order_number="CO-GONE")
    [line] = payments_reconcile(now=timezone.now() + LATER)
    assert "captured without an order: 48.30 EUR refunded" in line
    payment = Payment.objects.get()
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("48.30"))
    assert Refund.objects.get().actor == "system" and _intent(payment).amount_refunded == Decimal("48.30")


def test_a_capture_whose_answer_was_lost_is_finished(open_session, checkout):
    _attach(open_session().json()["id"], "CO-1")
    order_add(checkout, "CO-1")
    Payment.objects.update(status="capturing")  # the capture's answer never came back
    [line] = payments_reconcile(now=timezone.now() + LATER)
    assert "capture finished" in line and Payment.objects.get().status == "captured"


def test_a_session_the_customer_authenticated_is_brought_up_to_date(open_session, checkout, api_client):
    body = open_session(payment_method="3ds").json()
    api_client.post(body["next_action"]["redirect_to_url"]["url"], {}, format="json")
    report = payments_reconcile(now=timezone.now() + timedelta(minutes=20))
    assert report == [f"{body['id']}: requires_action → authorized: provider says authorized"]


def test_the_command_prints_what_it_changed(open_session, checkout, settings):
    open_session()
    settings.PAYMENTS_ABANDONED_AFTER_SECONDS = 0
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0
    out = io.StringIO()
    call_command("payments", "reconcile", stdout=out)
    assert "authorized without an order: cancelled" in out.getvalue() and "1 change(s)." in out.getvalue()
    out = io.StringIO()
    call_command("payments", "reconcile", stdout=out)
    assert out.getvalue().strip() == "0 change(s)."


def test_reconciliation_is_a_periodic_task_of_the_module():
    from django.apps import apps

    from modules.payments import tasks

    task, seconds = apps.get_app_config("payments").periodic_tasks["payments-reconcile"]
    assert task == tasks.payments_reconcile.name and seconds > 0


def test_a_refund_whose_answer_was_lost_blocks_another_and_is_finished(open_session, checkout, monkeypatch):
    from contracts.errors import Conflict
    from contracts.payments import PaymentProviderUnavailable
    from modules.payments.providers.base import ProviderUnavailable
    from modules.payments.providers.test import TestProvider
    from modules.payments.services.settlement import refund_create

    _attach(open_session().json()["id"], "CO-1")
    order_add(checkout, "CO-1")
    payment = payment_capture(order_number="CO-1")
    real = TestProvider.refund_create

    def lost(self, **kwargs):
        real(self, **kwargs)  # the provider refunds...
        raise ProviderUnavailable("...and the answer is lost")

    monkeypatch.setattr(TestProvider, "refund_create", lost)
    with pytest.raises(PaymentProviderUnavailable):
        refund_create(payment=payment, amount=Decimal("5.00"), reason="late", actor="clerk")
    monkeypatch.undo()
    assert Refund.objects.get().status == "pending"
    with pytest.raises(Conflict) as pending:  # a second refund now could give the money back twice
        refund_create(payment=payment, amount=Decimal("5.00"), reason="late, again", actor="clerk")
    assert pending.value.code == "refund_pending"
    [line] = payments_reconcile(now=timezone.now() + timedelta(hours=1))
    assert "confirmed by the provider" in line
    refund = Refund.objects.get()
    assert refund.status == "succeeded" and refund.provider_refund_id.startswith("re_test_")
    assert _intent(payment).amount_refunded == Decimal("5.00")  # given back once
