"""Reads of checkout: carts priced live through the other modules' contracts, and orders."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from contracts.checkout import OrderNotFound
from contracts.common import SkuQuantity
from contracts.container import services
from contracts.pricing import PriceNotFound, Quote, VoucherInvalid
from kernel.money import money_amount
from modules.checkout.errors import CartNotFound
from modules.checkout.models import Cart, CartLine, CheckoutAttempt, Order, OrderLine
from modules.checkout.tokens import access_token_matches

_CART_COLUMNS = tuple(field.attname for field in Cart._meta.concrete_fields)
_LINE_COLUMNS = tuple(field.attname for field in CartLine._meta.concrete_fields)


def cart_of_customer(*, customer_id: int) -> Cart:
    """Return the signed-in customer's newest open cart (the one that follows them across devices); ``CartNotFound``."""
    cart = Cart.objects.filter(customer_id=customer_id, status=Cart.Status.OPEN).order_by("-updated_at", "-id").first()
    if cart is None:
        raise CartNotFound()
    return cart_get(token=cart.token)


def cart_is_another_customers(*, token: str, customer_id: int) -> bool:
    """Tell whether the cart ``token`` belongs to a customer other than ``customer_id`` (then it is theirs alone)."""
    return Cart.objects.filter(token=token, customer_id__isnull=False).exclude(customer_id=customer_id).exists()


def cart_get(*, token: str) -> Cart:
    """Return the cart with its lines, read in one statement; ``CartNotFound`` for an unknown token.

    A LEFT JOIN brings the cart's columns once per line (a cart holds at most
    ``CHECKOUT_MAX_CART_LINES``); the lines are then what ``cart.lines.all()``
    answers, in the model's order, without a second query.
    """
    rows = list(
        Cart.objects.filter(token=token)
        .order_by("lines__created_at", "lines__id")
        .values_list(*_CART_COLUMNS, *(f"lines__{column}" for column in _LINE_COLUMNS))
    )
    if not rows:
        raise CartNotFound()
    db = Cart.objects.db
    width = len(_CART_COLUMNS)
    cart = Cart.from_db(db, _CART_COLUMNS, rows[0][:width])
    lines = [CartLine.from_db(db, _LINE_COLUMNS, row[width:]) for row in rows if row[width] is not None]
    for line in lines:
        line.cart = cart
    related = cart.lines.all()
    related._result_cache, related._prefetch_done = lines, True
    cart._prefetched_objects_cache = {"lines": related}
    return cart


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedCart:
    """A cart as the storefront sees it: every amount from pricing, never stored."""

    cart: Cart
    lines: list[CartLine]
    quote: Quote | None
    names: dict[str, str]
    available: dict[str, int]
    unavailable: frozenset[str]  # unpublished, discontinued or unknown SKUs
    unpriced: frozenset[str]  # no price in the cart's currency
    voucher_problem: str | None  # "voucher_invalid" when the cart's voucher no longer applies


def variant_display_name(*, product_name: str, variant_name: str) -> str:
    return f"{product_name} — {variant_name}" if variant_name and variant_name != product_name else product_name


def cart_price(*, cart: Cart, lines: Sequence[CartLine] | None = None) -> PricedCart:
    """Price ``cart`` live: one call each to catalog, inventory and pricing (two if something must be left out).

    ``lines`` are the cart's lines when the caller knows them (none, for a cart it just created).
    """
    lines = list(cart.lines.all() if lines is None else lines)
    skus = [line.sku for line in lines]
    if not skus:
        return PricedCart(
            cart=cart, lines=lines, quote=None, names={}, available={}, unavailable=frozenset(), unpriced=frozenset(), voucher_problem=None
        )
    variants = services().catalog.variants_get(skus=skus)
    availability = services().inventory.availability_get(skus=skus)
    unavailable = frozenset(sku for sku in skus if sku not in variants or not variants[sku].sellable)
    names = {
        sku: variant_display_name(product_name=v.product_name, variant_name=v.variant_name) for sku, v in variants.items()
    }
    unpriced: frozenset[str] = frozenset()
    voucher_code = cart.voucher_code
    voucher_problem = None
    quote = None
    priceable = [SkuQuantity(sku=line.sku, quantity=line.quantity) for line in lines if line.sku not in unavailable]
    for _ in range(3):  # at most: drop unpriced SKUs once, drop a voucher that stopped applying once
        wanted = [line for line in priceable if line.sku not in unpriced]
        if not wanted:
            break
        try:
            quote = services().pricing.quote_create(currency=cart.currency, lines=wanted, voucher_code=voucher_code)
            break
        except PriceNotFound as error:
            unpriced = unpriced | frozenset(error.skus)
        except VoucherInvalid:
            # One answer for every reason, as when applying a code (see errors.VoucherNotAccepted).
            voucher_problem, voucher_code = "voucher_invalid", None
    return PricedCart(
        cart=cart,
        lines=lines,
        quote=quote,
        names=names,
        available={sku: a.available for sku, a in availability.items()},
        unavailable=unavailable,
        unpriced=unpriced,
        voucher_problem=voucher_problem,
    )


def cart_document(*, priced: PricedCart) -> dict[str, Any]:
    """Return the API representation of a priced cart."""
    cart, quote = priced.cart, priced.quote
    quoted = {line.sku: line for line in quote.lines} if quote else {}
    zero = Decimal("0")
    lines = []
    for line in priced.lines:
        q = quoted.get(line.sku)
        problem = "unavailable" if line.sku in priced.unavailable else "no_price" if line.sku in priced.unpriced else None
        lines.append(
            {
                "sku": line.sku,
                "name": priced.names.get(line.sku, line.sku),
                "quantity": line.quantity,
                "unit_price": str(q.unit_price) if q else None,
                "discount": str(q.discount) if q else None,
                "total": str(q.total) if q else None,
                "available": priced.available.get(line.sku, 0),
                "problem": problem,
            }
        )
    return {
        "token": cart.token,
        "currency": cart.currency,
        "status": cart.status,
        "lines": lines,
        "voucher_code": cart.voucher_code,
        "voucher_problem": priced.voucher_problem,
        "subtotal": str(quote.subtotal if quote else zero),
        "discount_total": str(quote.discount_total if quote else zero),
        "total": str(quote.total if quote else zero),
        "applied": [
            {"promotion" if a.kind == "promotion" else "code": a.code, "amount": str(a.amount)} for a in quote.applied
        ]
        if quote
        else [],
        "order_number": cart.order_number,
    }


def order_get(*, number: str) -> Order:
    order = Order.objects.prefetch_related("lines").filter(number=number).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_get_for(*, number: str, access_token: str | None, customer_id: int | None) -> Order:
    """Return the order to whoever holds its access token or owns it; otherwise ``OrderNotFound``.

    A wrong token answers exactly like a missing order, so numbers cannot be probed.
    """
    order = Order.objects.prefetch_related("lines").filter(number=number).first()
    if order is not None:
        if access_token_matches(token=access_token, stored_hash=order.access_token_hash):
            return order
        if customer_id is not None and order.customer_id == customer_id:
            return order
    raise OrderNotFound()


def orders_of_customer(*, customer_id: int):
    return Order.objects.filter(customer_id=customer_id).prefetch_related("lines")


def _amount(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places)))


def order_document(*, order: Order, lines: Sequence[OrderLine] | None = None, access_token: str | None = None) -> dict[str, Any]:
    """Return the API representation of an order; amounts at the currency's minor unit, as strings.

    ``lines`` are the order's lines when the caller has them already (the order it just created);
    ``access_token`` is given only in the answer to complete (it is stored as a hash).
    """
    places = order.amount_places
    document: dict[str, Any] = {
        "number": order.number,
        "status": order.status,
        "email": order.email,
        "currency": order.currency,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": _amount(line.unit_price, places),
                "discount": _amount(line.discount, places),
                "total": _amount(line.total, places),
            }
            for line in (order.lines.all() if lines is None else lines)
        ],
        "voucher_code": order.voucher_code,
        "subtotal": _amount(order.subtotal, places),
        "discount_total": _amount(order.discount_total, places),
        "total": _amount(order.total, places),
        "shipping_address": order.shipping_address,
        "created": order.created_at.isoformat().replace("+00:00", "Z"),
    }
    if access_token is not None:
        document["access_token"] = access_token
    return document


# The columns of the orders export (one row per order line, the order's columns repeated), for bookkeeping.
ORDER_EXPORT_HEADER = (
    "order_number", "placed_at", "status", "email", "currency", "order_subtotal", "order_discount", "order_total",
    "voucher_code", "shipping_name", "shipping_country", "line_sku", "line_name", "line_quantity", "line_unit_price",
    "line_discount", "line_total",
)


def orders_export_rows(*, orders: QuerySet[Order] | None = None, since: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """Yield the orders export's rows (``ORDER_EXPORT_HEADER``): every line of ``orders``, oldest order first.

    ``orders`` is what the admin selected (all orders when None); ``since``
    keeps the orders placed from then on. Amounts have the currency's decimals.
    Read in chunks with their lines, so any number of orders streams in
    bounded memory.
    """
    queryset = (Order.objects.all() if orders is None else orders).order_by("created_at", "id").prefetch_related("lines")
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    for order in queryset.iterator(chunk_size=500):
        address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
        head = (
            order.number, order.created_at, order.status, order.email, order.currency,
            money_amount(order.subtotal, order.currency), money_amount(order.discount_total, order.currency),
            money_amount(order.total, order.currency), order.voucher_code or "", address.get("name", ""),
            address.get("country", ""),
        )
        for line in order.lines.all():
            yield (
                *head, line.sku, line.name, line.quantity, money_amount(line.unit_price, order.currency),
                money_amount(line.discount, order.currency), money_amount(line.total, order.currency),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class OrdersTotal:
    """Orders placed in one currency over a period (cancelled ones not counted) and what they came to."""

    currency: str
    orders: int
    revenue: Decimal
    cancelled: int


def orders_totals(*, since: datetime) -> list[OrdersTotal]:
    """Return per currency the orders placed since ``since`` and their revenue (the back office's dashboard)."""
    rows = (
        Order.objects.filter(created_at__gte=since)
        .values("currency")
        .annotate(
            orders=Count("id", filter=~Q(status=Order.Status.CANCELLED)),
            revenue=Sum("total", filter=~Q(status=Order.Status.CANCELLED)),
            cancelled=Count("id", filter=Q(status=Order.Status.CANCELLED)),
        )
        .order_by("currency")
    )
    return [
        OrdersTotal(currency=row["currency"], orders=row["orders"], revenue=money_amount(row["revenue"] or 0, row["currency"]),
                    cancelled=row["cancelled"])
        for row in rows
    ]


def attempts_awaiting_recovery(*, now: datetime) -> list[CheckoutAttempt]:
    """Return checkouts whose request died mid-way (lease over, not done): the abandon task will settle or undo them."""
    return list(
        CheckoutAttempt.objects.filter(state=CheckoutAttempt.State.IN_PROGRESS, locked_until__lt=now).order_by("locked_until")[:50]
    )
