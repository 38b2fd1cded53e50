"""Checkout's side of customer accounts: claiming a cart (merge limits), guest orders joining, erasure."""

from __future__ import annotations

import pytest

from contracts.checkout import CartNotFound
from modules.checkout.errors import CartCompleted
from modules.checkout.models import Cart, CartLine
from modules.checkout.services.customers import cart_claim, guest_orders_attach

pytestmark = pytest.mark.django_db


def cart(customer_id: int | None = None, currency: str = "EUR", **lines: int) -> Cart:
    made = Cart.objects.create(token=f"t{Cart.objects.count()}", currency=currency, customer_id=customer_id)
    for sku, quantity in lines.items():
        CartLine.objects.create(cart=made, sku=sku, quantity=quantity)
    return made


def test_merging_keeps_the_line_limit_and_says_what_was_left_out(settings):
    settings.CHECKOUT_MAX_CART_LINES = 2
    theirs = cart(7, A=1, B=1)
    claimed = cart(None, B=2, C=1)
    Cart.objects.filter(pk=claimed.pk).update(voucher_code="WELCOME10")
    result = cart_claim(token=claimed.token, customer_id=7)
    assert result.cart.pk == theirs.pk and result.dropped == ("C",)
    assert {line.sku: line.quantity for line in theirs.lines.all()} == {"A": 1, "B": 3}
    assert Cart.objects.get(pk=theirs.pk).voucher_code == "WELCOME10" and not Cart.objects.filter(pk=claimed.pk).exists()


def test_another_currency_is_adopted_not_merged():
    euros = cart(7, A=1)
    dollars = cart(None, currency="USD", A=1)
    assert cart_claim(token=dollars.token, customer_id=7).cart.pk == dollars.pk
    assert Cart.objects.get(pk=dollars.pk).customer_id == 7 and euros.lines.get().quantity == 1


def test_completed_and_foreign_carts_cannot_be_claimed():
    done = cart(None)
    Cart.objects.filter(pk=done.pk).update(status=Cart.Status.COMPLETED)
    with pytest.raises(CartCompleted):
        cart_claim(token=done.token, customer_id=7)
    with pytest.raises(CartNotFound):
        cart_claim(token=cart(8).token, customer_id=7)
    with pytest.raises(CartNotFound):
        cart_claim(token="nope", customer_id=7)


def test_attaching_guest_orders_is_idempotent_and_leaves_other_customers_orders():
    from decimal import Decimal

    from modules.checkout.models import Order

    def order(number: str, email: str, customer_id: int | None = None) -> None:
        Order.objects.create(number=number, access_token_hash="0" * 64, email=email, currency="EUR", subtotal=Decimal(1),
                             discount_total=Decimal(0), total=Decimal(1), shipping_address={}, customer_id=customer_id, cart_token=number)

    order("CO-1", "Ada@Example.com")
    order("CO-2", "ada@example.com", customer_id=9)
    order("CO-3", "eve@example.com")
    assert guest_orders_attach(customer_id=7, email="ada@example.com") == 1
    assert guest_orders_attach(customer_id=7, email="ada@example.com") == 0
    assert dict(Order.objects.values_list("number", "customer_id")) == {"CO-1": 7, "CO-2": 9, "CO-3": None}
