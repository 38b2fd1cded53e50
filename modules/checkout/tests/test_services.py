"""Checkout services: crash recovery, purges, fulfilment; the other modules are their verified fakes (tests/fakes)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from modules.checkout.models import Cart, CheckoutAttempt, Order
from modules.checkout.services.carts import cart_create, cart_line_add, cart_voucher_apply, cart_voucher_remove
from modules.checkout.services.housekeeping import carts_purge, checkout_attempts_abandon, checkout_attempts_purge
from modules.checkout.services.orders import order_cancel, order_fulfil, order_settle

# The steps a test can make the process die in, by the public name they are called through.
ORDER_CREATE = "modules.checkout.services.placement.attempt_order_create"
SETTLE = "modules.checkout.handlers.order_settle"


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so no compensation runs."""


@pytest.fixture
def crash_in(monkeypatch):
    """Make the named step kill the process; ``monkeypatch.undo()`` brings it back."""

    def crash(**kwargs):
        raise SimulatedCrash()

    return lambda step: monkeypatch.setattr(step, crash)


def test_crash_between_payment_and_order_is_completed_by_the_retry(cart, shop, place, monkeypatch, crash_in):
    crash_in(ORDER_CREATE)
    with pytest.raises(SimulatedCrash):
        place(cart)
    attempt = CheckoutAttempt.objects.get()
    assert attempt.state == "in_progress"
    assert shop.payments.of(attempt.order_number).status == "authorized"
    assert shop.inventory.active_holds() == 1 and Order.objects.count() == 0

    monkeypatch.undo()
    # While the dead request's lease runs, a retry is told to wait.
    assert place(cart).status == 409
    CheckoutAttempt.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    response = place(cart)
    assert response.status == 201
    assert response.body["number"] == attempt.order_number
    assert Order.objects.count() == 1
    # Resumed, not repeated: one payment session, one hold, now committed.
    assert len(shop.payments.sessions) == 1
    assert shop.payments.of(attempt.order_number).status == "captured"
    assert shop.inventory.count("reservation_create") == 2 and shop.inventory.active_holds() == 0
    assert shop.inventory.on_hand["TEE-M"] == 3
    assert place(cart).body == response.body


def test_crash_after_the_order_committed_replays_it_and_the_bus_settles_it(cart, shop, place, monkeypatch, crash_in, settings):
    settings.EVENTS_DISPATCH_LEASE_SECONDS = 0  # what the dead process dispatched is due again at once
    crash_in(SETTLE)
    with pytest.raises(SimulatedCrash):
        place(cart)  # the order and the key's answer committed together; the process died settling it
    assert Order.objects.get().status == "placed" and CheckoutAttempt.objects.get().state == "done"
    monkeypatch.undo()
    replay = place(cart)
    assert replay.status == 201 and replay.replayed and replay.body["status"] == "placed"
    # The sweeper dispatches the delivery the dead process left behind: the order is settled.
    call_command("events", "sweep", stdout=io.StringIO())
    assert Order.objects.get().status == "paid" and shop.payments.of(Order.objects.get().number).status == "captured"
    assert Order.objects.count() == 1 and shop.inventory.active_holds() == 0


def test_fulfil_only_paid_orders(cart, place):
    number = place(cart).body["number"]
    assert order_fulfil(number=number).status == "fulfilled"
    from modules.checkout.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        order_cancel(number=number)
    with pytest.raises(InvalidTransition):
        order_fulfil(number=number)


def test_abandoned_carts_and_old_keys_are_purged(cart, place, settings):
    place(cart)
    stale = cart_create(currency="EUR")
    Cart.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=31))
    assert carts_purge() == 1
    assert Cart.objects.filter(token=cart).exists()  # completed carts stay with their orders
    later = timezone.now() + timedelta(hours=settings.CHECKOUT_IDEMPOTENCY_TTL_HOURS + 1)
    assert checkout_attempts_purge(now=later) == 1
    assert Order.objects.count() == 1


def test_admin_lists_orders_and_acts_through_services(admin_client, cart, shop, place, django_capture_on_commit_callbacks):
    order = Order.objects.get(number=place(cart).body["number"])
    assert admin_client.get("/admin/checkout/order/?status__exact=paid&q=ada").status_code == 200
    assert admin_client.get(f"/admin/checkout/order/{order.pk}/change/").status_code == 200
    assert admin_client.get("/admin/checkout/cart/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/checkout/order/", {"action": "cancel", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert shop.inventory.on_hand["TEE-M"] == 5
    admin_client.post("/admin/checkout/order/", {"action": "mark_fulfilled", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "cancelled"  # refused: an invalid transition changes nothing


def test_attempt_abandoned_after_a_crash_is_undone(cart, shop, place, monkeypatch, crash_in, settings):
    cart_voucher_apply(token=cart, code="SAVE10")

    crash_in(ORDER_CREATE)
    with pytest.raises(SimulatedCrash):
        place(cart)
    number = CheckoutAttempt.objects.get().order_number
    assert shop.inventory.active_holds() == 1 and shop.pricing.redemptions

    assert checkout_attempts_abandon() == 0  # its lease has not run out long enough
    later = timezone.now() + timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS + 120)
    assert checkout_attempts_abandon(now=later) == 1
    assert shop.inventory.active_holds() == 0 and shop.pricing.redemptions == {}
    # The payment is let go of the dead number, still authorized: the cart's retry pays with it.
    assert shop.payments.of(number) is None
    assert [session.status for session in shop.payments.sessions.values()] == ["authorized"]
    assert not CheckoutAttempt.objects.exists() and Order.objects.count() == 0
    monkeypatch.undo()
    assert place(cart).status == 201  # the key starts afresh
    assert len(shop.payments.sessions) == 1


@pytest.fixture
def declined_while_inventory_is_down(cart, shop, place):
    """The payment is declined, and inventory is down when told to let go of whatever it may hold."""
    from contracts.errors import ServiceUnavailable
    from modules.checkout.tests.conftest import complete_body

    cart_voucher_apply(token=cart, code="SAVE10")
    shop.inventory.fail["reservation_release"] = ServiceUnavailable("inventory timed out")
    body = complete_body(token="decline")
    response = place(cart, body=body)
    # Not a final answer while something is still held: 503, and the same key may be retried.
    assert response.status == 503 and response.body["code"] == "checkout_incomplete"
    assert shop.pricing.redemptions == {}  # the other undo steps still ran
    assert Order.objects.count() == 0
    assert all(session.status not in ("authorized", "captured") for session in shop.payments.sessions.values())
    assert shop.inventory.count("reservation_release") == 1  # what inventory could not be told yet
    del shop.inventory.fail["reservation_release"]
    return body


def test_inventory_failing_after_the_voucher_was_redeemed_is_finished_by_the_retry(
    cart, shop, place, declined_while_inventory_is_down
):
    response = place(cart, body=declined_while_inventory_is_down)
    assert response.status == 402 and response.body["code"] == "payment_declined"
    assert shop.inventory.active_holds() == 0 and shop.pricing.redemptions == {}
    assert place(cart, body=declined_while_inventory_is_down).body == response.body  # final now


def test_inventory_failing_after_the_voucher_was_redeemed_is_finished_by_the_abandon_task(
    cart, shop, declined_while_inventory_is_down, settings
):
    later = timezone.now() + timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS + 1)
    assert checkout_attempts_abandon(now=later) == 1
    assert shop.inventory.active_holds() == 0 and not CheckoutAttempt.objects.exists()


def test_a_retry_during_a_slow_request_waits_its_turn(cart, shop, place):
    answers = []
    shop.payments.during_attach = lambda: answers.append(place(cart).status)
    assert place(cart).status == 201
    assert answers == [409]  # the lease was renewed before the slow step
    assert Order.objects.count() == 1


def test_a_retry_that_took_over_a_stalled_request_does_not_undo_the_order_it_placed(
    cart, shop, place
):
    cart_voucher_apply(token=cart, code="SAVE10")
    answers = []

    def stall_then_retry():
        CheckoutAttempt.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
        answers.append(place(cart))

    shop.payments.during_attach = stall_then_retry
    first = place(cart)
    (retry,) = answers
    assert retry.status == 201
    # The stalled request lost its lease: it stops without undoing anything and says so.
    assert first.status == 409 and first.body["code"] == "request_in_progress"
    assert place(cart).body == retry.body  # and the key now replays the order
    order = Order.objects.get()
    assert order.status == "paid" and shop.payments.of(order.number).status == "captured"
    assert shop.pricing.redemptions == {order.number: "SAVE10"}  # the voucher use stands
    assert shop.inventory.on_hand["TEE-M"] == 3


def test_a_cart_changed_while_completing_is_refused_and_undone(cart, shop, place):
    shop.payments.during_attach = lambda: cart_line_add(token=cart, sku="MUG", quantity=1)
    response = place(cart)
    assert response.status == 409 and response.body["code"] == "cart_changed"
    assert Order.objects.count() == 0 and shop.inventory.active_holds() == 0
    assert [session.status for session in shop.payments.sessions.values()] == ["canceled"]  # a final answer


def test_a_resumed_attempt_that_fails_undoes_what_its_dead_run_did(cart, shop, place, monkeypatch, crash_in):
    cart_voucher_apply(token=cart, code="SAVE10")

    crash_in(ORDER_CREATE)
    with pytest.raises(SimulatedCrash):
        place(cart)
    monkeypatch.undo()
    shop.catalog.variant_change("MUG", published=False)  # the retry now fails before it reaches any step
    CheckoutAttempt.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    response = place(cart)
    assert response.status == 409 and response.body["code"] == "items_unavailable"
    assert shop.inventory.active_holds() == 0 and shop.pricing.redemptions == {}
    assert [session.status for session in shop.payments.sessions.values()] == ["canceled"]


def test_purge_keeps_unfinished_attempts(cart, place, monkeypatch, crash_in, settings):
    crash_in(ORDER_CREATE)
    with pytest.raises(SimulatedCrash):
        place(cart)
    later = timezone.now() + timedelta(hours=settings.CHECKOUT_IDEMPOTENCY_TTL_HOURS + 1)
    assert checkout_attempts_purge(now=later) == 0
    assert CheckoutAttempt.objects.count() == 1


def test_two_settles_at_once_capture_once_and_refund_nothing(cart, shop, place):
    shop.inventory.fail["reservation_commit"] = RuntimeError("inventory hiccup")
    number = place(cart).body["number"]
    del shop.inventory.fail["reservation_commit"]
    shop.payments.during_capture = lambda: order_settle(number=number)
    order_settle(number=number)
    session = shop.payments.of(number)
    assert Order.objects.get().status == "paid" and session.status == "captured"
    assert session.amount_refunded == 0 and shop.payments.count("payment_release") == 0


def test_prices_changed_between_a_crash_and_the_retry(cart, shop, place, monkeypatch, crash_in):
    from decimal import Decimal

    crash_in(ORDER_CREATE)
    with pytest.raises(SimulatedCrash):
        place(cart)
    monkeypatch.undo()
    shop.pricing.price_set("MUG", "9.00")
    CheckoutAttempt.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    response = place(cart)
    assert response.status == 201 and response.body["total"] == "48.80"
    # The session for the former amount is cancelled; a new one, for the new amount, is captured.
    sessions = sorted(shop.payments.sessions.values(), key=lambda session: session.amount)
    assert [(session.amount, session.status) for session in sessions] == [(Decimal("48.30"), "canceled"), (Decimal("48.80"), "captured")]
    assert shop.payments.of(response.body["number"]).amount == Decimal("48.80")


def test_a_voucher_removed_between_a_crash_and_the_retry_is_given_back(
    cart, shop, place, monkeypatch, crash_in
):
    cart_voucher_apply(token=cart, code="SAVE10")
    crash_in(ORDER_CREATE)
    with pytest.raises(SimulatedCrash):
        place(cart)
    monkeypatch.undo()
    assert shop.pricing.redemptions
    cart_voucher_remove(token=cart)
    CheckoutAttempt.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    from modules.checkout.tests.conftest import complete_body

    # The body is the same; the cart changed, which the retry prices afresh.
    response = place(cart, body=complete_body())
    assert response.status == 201 and response.body["voucher_code"] is None
    assert shop.pricing.redemptions == {}


def test_a_request_stalled_past_abandon_cannot_place_its_order(cart, shop, place, settings):
    cart_voucher_apply(token=cart, code="SAVE10")
    later = timezone.now() + timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS + 120)
    abandoned = []
    # While the gateway call hangs, the abandon task decides the request is dead and undoes it.
    shop.payments.during_attach = lambda: abandoned.append(checkout_attempts_abandon(now=later))
    response = place(cart)
    assert abandoned == [1]
    assert response.status == 409 and response.body["code"] == "request_in_progress"
    assert Order.objects.count() == 0
    assert shop.inventory.active_holds() == 0 and shop.pricing.redemptions == {}
    # The attachment that came too late is undone: the session is free (still authorized) for the next try.
    assert [(session.status, session.order_number) for session in shop.payments.sessions.values()] == [("authorized", None)]
    assert place(cart).status == 201  # the key starts afresh
