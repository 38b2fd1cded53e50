"""Cart writes: create, lines, voucher. Each write is one short transaction on the cart row."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils import timezone

from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import Conflict, FieldProblem, InvalidInput
from contracts.pricing import VoucherInvalid
from kernel.transactions import atomic_for
from modules.checkout.errors import CartCompleted, ItemsUnavailable, storefront_error
from modules.checkout.models import Cart, CartLine
from modules.checkout.selectors import PricedCart, cart_get, cart_price


def cart_for_update(*, token: str) -> Cart:
    """Lock the open cart ``token``; ``CartNotFound`` or ``CartCompleted`` otherwise."""
    cart = Cart.objects.select_for_update().filter(token=token).first()
    if cart is None:
        cart_get(token=token)  # raises CartNotFound
    if cart.status == Cart.Status.COMPLETED:
        raise CartCompleted()
    return cart


def quantity_check(*, quantity: int, field: str = "quantity", allow_zero: bool = False) -> None:
    """Refuse a quantity outside 1 (or 0) .. ``CHECKOUT_MAX_LINE_QUANTITY``."""
    low = 0 if allow_zero else 1
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= settings.CHECKOUT_MAX_LINE_QUANTITY:
        raise InvalidInput(
            f"Quantity must be a whole number from {low} to {settings.CHECKOUT_MAX_LINE_QUANTITY}.",
            errors=(FieldProblem(field=field, code="invalid_quantity", detail="out of range"),),
        )


def cart_create(*, currency: str, customer_id: int | None = None) -> Cart:
    """Create an empty cart addressed by an unguessable token (256 random bits)."""
    if currency not in settings.SHOP_CURRENCIES:
        raise InvalidInput(
            f"The shop does not sell in {currency!r}; it sells in {', '.join(settings.SHOP_CURRENCIES)}.",
            code="unknown_currency",
            errors=(FieldProblem(field="currency", code="unknown_currency", detail="not sold in this shop"),),
        )
    return Cart.objects.create(token=secrets.token_urlsafe(32), currency=currency, customer_id=customer_id)


def _sku_orderable_check(*, sku: str, priced: PricedCart) -> None:
    """Refuse ``sku`` unless the catalog sells it and it has a price in the cart's currency."""
    if sku not in priced.names:
        raise InvalidInput(
            f"Unknown SKU {sku!r}.", code="unknown_sku", errors=(FieldProblem(field="sku", code="unknown_sku", detail=sku),)
        )
    if sku in priced.unavailable:
        raise ItemsUnavailable(f"{sku} is not for sale.", skus=[sku])
    if sku in priced.unpriced:
        raise InvalidInput(
            f"{sku} has no price in {priced.cart.currency}.",
            code="price_not_found",
            errors=(FieldProblem(field="sku", code="price_not_found", detail=sku),),
        )


def cart_line_add(*, token: str, sku: str, quantity: int) -> PricedCart:
    """Add ``quantity`` of ``sku``; a line of that SKU grows, within the per-line maximum. Return the priced cart.

    The cart as it will be is priced first, from one read of it (no lock held
    across modules); that pricing both vets the SKU and is the answer. The
    write then only lands if the cart is still as read (its ``updated_at``,
    bumped by every change), else the whole step runs again on the new cart.
    """
    quantity_check(quantity=quantity)
    for _ in range(5):
        cart = cart_get(token=token)
        if cart.status == Cart.Status.COMPLETED:
            raise CartCompleted()
        lines = list(cart.lines.all())
        line = next((line for line in lines if line.sku == sku), None)
        if line is None:
            if len(lines) >= settings.CHECKOUT_MAX_CART_LINES:
                raise InvalidInput(f"A cart holds at most {settings.CHECKOUT_MAX_CART_LINES} lines.", code="too_many_lines")
            line = CartLine(cart=cart, sku=sku, quantity=quantity)
            after = [*lines, line]
        else:
            quantity_check(quantity=line.quantity + quantity)
            line = CartLine(pk=line.pk, cart=cart, sku=sku, quantity=line.quantity + quantity, created_at=line.created_at)
            after = [line if other.sku == sku else other for other in lines]
        priced = cart_price(cart=cart, lines=after)
        _sku_orderable_check(sku=sku, priced=priced)
        seen = cart.updated_at
        cart.updated_at = timezone.now()
        with atomic_for(Cart):
            if not Cart.objects.filter(pk=cart.pk, status=Cart.Status.OPEN, updated_at=seen).update(updated_at=cart.updated_at):
                continue  # changed (or completed) since it was read: price the cart as it is now
            line.save(force_insert=line.pk is None, force_update=line.pk is not None)
        return priced
    raise Conflict("The cart keeps changing; try again.")


def cart_line_set(*, token: str, sku: str, quantity: int) -> Cart:
    """Set the quantity of the line of ``sku``; 0 removes it."""
    quantity_check(quantity=quantity, allow_zero=True)
    with atomic_for(Cart):
        cart = cart_for_update(token=token)
        line = cart.lines.filter(sku=sku).first()
        if line is None:
            raise InvalidInput(f"The cart has no line for {sku!r}.", code="line_not_found")
        if quantity == 0:
            line.delete()
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return cart_get(token=token)


def cart_line_remove(*, token: str, sku: str) -> Cart:
    """Remove the line of ``sku``."""
    return cart_line_set(token=token, sku=sku, quantity=0)


def cart_voucher_apply(*, token: str, code: str) -> Cart:
    """Attach a voucher after pricing accepted it for this cart; ``VoucherNotAccepted`` otherwise, whatever the reason."""
    code = code.strip().upper()
    if not code or len(code) > Cart._meta.get_field("voucher_code").max_length:
        raise storefront_error(VoucherInvalid(reason="unknown"))  # upper-casing can lengthen a code ("ß" → "SS")
    cart = cart_get(token=token)
    if cart.status == Cart.Status.COMPLETED:
        raise CartCompleted()
    lines = [SkuQuantity(sku=line.sku, quantity=line.quantity) for line in cart.lines.all()]
    if not lines:
        # Pricing judges a code against what it discounts: with nothing in the cart, nothing could be judged.
        raise InvalidInput("Add an item to the cart before a voucher.", code="cart_empty")
    try:
        services().pricing.quote_create(currency=cart.currency, lines=lines, voucher_code=code)
    except VoucherInvalid as error:
        raise storefront_error(error) from None
    with atomic_for(Cart):
        cart = cart_for_update(token=token)
        cart.voucher_code = code
        cart.save(update_fields=["voucher_code", "updated_at"])
    return cart_get(token=token)


def cart_voucher_remove(*, token: str) -> Cart:
    """Detach the cart's voucher."""
    with atomic_for(Cart):
        cart = cart_for_update(token=token)
        cart.voucher_code = None
        cart.save(update_fields=["voucher_code", "updated_at"])
    return cart_get(token=token)
