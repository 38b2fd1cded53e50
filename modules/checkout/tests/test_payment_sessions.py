"""Completing names a payment session: checked for exactly the order's total, held across 3-D Secure, captured after
the stock; payments is its verified fake (tests/fakes/payments.py)."""

from __future__ import annotations

from decimal import Decimal

from modules.checkout.models import CheckoutAttempt, Order
from modules.checkout.tests.conftest import complete_body


def session_for(shop, cart: str, *, amount: str = "48.30", method: str = "pm_card_visa"):
    return shop.payments.session_create(reference=cart, amount=Decimal(amount), currency="EUR", payment_method=method)


def test_completing_with_an_authorized_session_captures_it_after_the_stock(cart, shop, complete):
    session = session_for(shop, cart)
    response = complete(cart, body=complete_body(session=session.id))
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert shop.payments.sessions[session.id].order_number == number
    assert shop.payments.sessions[session.id].status == "captured"
    assert Order.objects.get().payment_session == session.id
    # Stock first, money second.
    assert shop.inventory.count("reservation_commit") == 1 and shop.payments.count("payment_capture") == 1


def test_a_session_awaiting_3d_secure_answers_action_required_then_the_same_key_completes(cart, shop, complete):
    session = session_for(shop, cart, method="3ds")
    body = complete_body(session=session.id)
    response = complete(cart, key="sca", body=body)
    assert response.status_code == 402
    problem = response.json()
    assert problem["code"] == "payment_action_required" and problem["next_action"]["type"] == "redirect_to_url"
    assert response["Content-Type"] == "application/problem+json"
    # Nothing held and the key is free: not a final answer.
    assert shop.inventory.active_holds() == 0 and not CheckoutAttempt.objects.exists() and Order.objects.count() == 0
    shop.payments.authenticate(session.id)
    again = complete(cart, key="sca", body=body)
    assert again.status_code == 201 and again.get("Idempotent-Replayed") is None
    assert shop.payments.sessions[session.id].status == "captured"


def test_a_failed_authentication_is_a_decline_with_its_code(cart, shop, complete):
    session = session_for(shop, cart, method="3ds")
    shop.payments.authenticate(session.id, succeed=False)
    response = complete(cart, body=complete_body(session=session.id))
    assert response.status_code == 402
    assert (response.json()["code"], response.json()["decline_code"]) == ("payment_declined", "authentication_failed")
    assert shop.inventory.active_holds() == 0 and Order.objects.count() == 0


def test_a_session_for_another_amount_is_refused(cart, shop, complete):
    session = session_for(shop, cart, amount="10.00")
    response = complete(cart, body=complete_body(session=session.id))
    assert response.status_code == 409 and response.json()["code"] == "payment_amount_mismatch"
    assert response.json()["session_amount"] == "10.00"
    assert shop.inventory.active_holds() == 0 and Order.objects.count() == 0


def test_a_session_of_another_cart_or_unknown_is_404(cart, shop, complete):
    other = session_for(shop, "another-cart")
    response = complete(cart, body=complete_body(session=other.id))
    assert response.status_code == 404 and response.json()["code"] == "payment_session_not_found"
    unknown = complete(cart, key="k2", body=complete_body(session="ps_" + "0" * 24))
    assert unknown.status_code == 404
    assert shop.payments.sessions[other.id].status == "authorized"  # another cart's payment is left alone


def test_a_session_nothing_was_paid_into_is_409_and_frees_the_key(cart, shop, complete):
    session = session_for(shop, cart, method="")
    response = complete(cart, body=complete_body(session=session.id))
    assert response.status_code == 409 and response.json()["code"] == "payment_incomplete"
    assert not CheckoutAttempt.objects.exists()


def test_a_session_and_a_token_together_are_refused(api_client, cart, complete):
    body = complete_body(session="ps_" + "a" * 24)
    body["payment"]["token"] = "pm_card_visa"
    response = complete(cart, body=body)
    assert response.status_code == 400
