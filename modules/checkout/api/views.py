"""Thin views of the checkout API: parse, call one service, render."""

from __future__ import annotations

import hashlib
import json

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.checkout import CartNotFound
from contracts.container import services
from kernel.problems import PROBLEM_CONTENT_TYPE
from kernel.schema import api_link_add, problem_responses
from modules.checkout import selectors
from modules.checkout.api.serializers import (
    CartCreateSerializer,
    CartOut,
    CompleteSerializer,
    LineAddSerializer,
    LineSetSerializer,
    OrderOut,
    VoucherSerializer,
)
from modules.checkout.api.throttles import (
    CartCreateThrottle,
    CompleteAddressThrottle,
    CompleteCartThrottle,
    PaymentDeclinesThrottle,
    VoucherThrottle,
    payment_decline_record,
)
from modules.checkout.services.carts import (
    cart_create,
    cart_line_add,
    cart_line_remove,
    cart_line_set,
    cart_voucher_apply,
    cart_voucher_remove,
)
from modules.checkout.services.completion import checkout_complete
from modules.checkout.services.customers import cart_claim
from modules.checkout.services.orders import order_cancel
from modules.checkout.services.placement import CompleteRequest

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"},
    OpenApiParameter.HEADER,
    required=True,
    description="a key of the client's choosing, one per order attempt: a retry with the same key and body gets the same answer",
)
# What each checkout operation can answer besides its success (kernel.schema adds 406, 503, and 400/413/415 for a
# body, 404 for a path parameter, 429 when throttled).
CART_PROBLEMS = {404: ["cart_not_found"]}
CART_CHANGE_PROBLEMS = {
    400: ["validation_error"],
    404: [*CART_PROBLEMS[404], "unknown_sku", "line_not_found"],
    409: ["cart_completed", "items_unavailable", "conflict"],
    422: ["invalid", "price_not_found", "too_many_lines"],
}
# 400 means "breaks the published schema"; a request the schema allows but the cart's state or a rule between fields
# refuses is a 422, one naming a thing that is not there a 404 (kernel/problems.py, contract_error_statuses).
CHECKOUT_ERROR_STATUSES = {
    "unknown_sku": 404,
    "line_not_found": 404,
    "invalid": 422,
    "price_not_found": 422,
    "too_many_lines": 422,
    "voucher_invalid": 422,
    "cart_empty": 422,
}
COMPLETE_PROBLEMS = {
    # Completing stores its answer with the Idempotency-Key (replayed as it was), so it keeps the statuses it always had.
    400: ["validation_error", "cart_empty", "voucher_invalid", "price_not_found", "invalid"],
    422: ["idempotency_key_reused"],
    401: ["not_authenticated"],  # a saved address (shipping_address_id) without signing in
    402: ["payment_declined", "payment_action_required"],
    404: ["cart_not_found", "payment_session_not_found"],
    409: [
        "cart_completed",
        "items_unavailable",
        "out_of_stock",
        "request_in_progress",
        "cart_changed",
        "payment_incomplete",
        "payment_amount_mismatch",
        "payment_session_used",
        "conflict",
    ],
    503: ["checkout_incomplete", "inventory_busy", "payment_provider_unavailable", "payment_not_configured"],
}
ORDER_PROBLEMS = {404: ["order_not_found"]}

ORDER_TOKEN_PARAMETERS = [
    OpenApiParameter(
        "Order-Token", str, OpenApiParameter.HEADER, description="the order's access token (preferred: kept out of URLs and logs)"
    ),
    OpenApiParameter("access_token", str, description="the same token in the query string, for links in emails"),
]


class PrivateView(APIView):
    """A checkout view: carts and orders are one customer's, so no cache (browser, proxy, CDN) may keep them."""

    contract_error_statuses = CHECKOUT_ERROR_STATUSES

    def finalize_response(self, request: Request, response: Response, *args: object, **kwargs: object) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        # A signed-in customer's cart is theirs alone: another customer's token on it is a 404, as an unknown cart.
        customer_id, token = _customer_id(request), kwargs.get("token")
        if customer_id is not None and token and selectors.cart_is_another_customers(token=str(token), customer_id=customer_id):
            raise CartNotFound()


def _order_token(request: Request) -> str | None:
    return request.headers.get("Order-Token") or request.query_params.get("access_token")


def _customer_id(request: Request) -> int | None:
    """The signed-in storefront customer (a Bearer token, see modules/customers/api/authentication.py); staff are none."""
    user = request.user
    return user.pk if user and user.is_authenticated and not user.is_staff else None


def _shipping_address(request: Request, data: dict) -> dict:
    """The address to ship to: as given, or a saved one of the signed-in customer's book, by reference."""
    if "shipping_address" in data:
        return dict(data["shipping_address"])
    customer_id = _customer_id(request)
    if customer_id is None:
        raise NotAuthenticated("Sign in to ship to a saved address.")
    saved = services().customers.address_get(customer_id=customer_id, address_id=data["shipping_address_id"]).address
    return {"name": saved.name, "line1": saved.line1, "line2": saved.line2, "city": saved.city,
            "postal_code": saved.postal_code, "country": saved.country}


def _cart_rendered(priced: selectors.PricedCart, status: int = 200) -> Response:
    """Render a priced cart through ``CartOut``, the serializer the schema is generated from: they cannot drift."""
    return Response(CartOut(selectors.cart_document(priced=priced)).data, status=status)


def _order_rendered(document: dict) -> dict:
    """Render an order document through ``OrderOut``, the serializer the schema is generated from."""
    return OrderOut(document).data


def _cart_response(token: str, status: int = 200) -> Response:
    cart = selectors.cart_get(token=token)
    return _cart_rendered(selectors.cart_price(cart=cart), status=status)


def _valid(serializer_class: type, data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CartCreateView(PrivateView):
    throttle_classes = [CartCreateThrottle]

    @extend_schema(
        request=CartCreateSerializer,
        responses={201: CartOut, **problem_responses({400: ["validation_error", "unknown_currency"]})},
    )
    def post(self, request: Request) -> Response:
        data = _valid(CartCreateSerializer, request.data)
        cart = cart_create(currency=data["currency"], customer_id=_customer_id(request))
        return _cart_rendered(selectors.cart_price(cart=cart, lines=[]), status=201)


def _signed_in(request: Request) -> int:
    customer_id = _customer_id(request)
    if customer_id is None:
        raise NotAuthenticated("Sign in: send `Authorization: Bearer <access token>`.")
    return customer_id


class MyCartView(PrivateView):
    @extend_schema(
        operation_id="checkout_carts_mine",
        responses={200: CartOut, **problem_responses({401: ["not_authenticated"], 404: ["cart_not_found"]})},
        description="The signed-in customer's open cart, on any device (the newest, if several currencies).",
    )
    def get(self, request: Request) -> Response:
        cart = selectors.cart_of_customer(customer_id=_signed_in(request))
        return _cart_rendered(selectors.cart_price(cart=cart))


class CartClaimView(PrivateView):
    @extend_schema(
        request=None,
        responses={
            200: CartOut,
            **problem_responses({401: ["not_authenticated"], 404: ["cart_not_found"], 409: ["cart_completed"]}),
        },
        description="At sign-in: make this (anonymous) cart the signed-in customer's. It is merged into their open "
        "cart (quantities summed up to the line limit, new lines while there is room; the merged cart's token then "
        "answers 404), or becomes theirs if they have none. The answer is their cart.",
    )
    def post(self, request: Request, token: str) -> Response:
        claim = cart_claim(token=token, customer_id=_signed_in(request))
        return _cart_response(claim.cart.token)


class CartDetailView(PrivateView):
    @extend_schema(responses={200: CartOut, **problem_responses(CART_PROBLEMS)})
    def get(self, request: Request, token: str) -> Response:
        return _cart_response(token)


class CartLinesView(PrivateView):
    @extend_schema(request=LineAddSerializer, responses={200: CartOut, **problem_responses(CART_CHANGE_PROBLEMS)})
    def post(self, request: Request, token: str) -> Response:
        data = _valid(LineAddSerializer, request.data)
        priced = cart_line_add(token=token, sku=data["sku"], quantity=data["quantity"])
        return _cart_rendered(priced)


class CartLineView(PrivateView):
    @extend_schema(request=LineSetSerializer, responses={200: CartOut, **problem_responses(CART_CHANGE_PROBLEMS)})
    def patch(self, request: Request, token: str, sku: str) -> Response:
        data = _valid(LineSetSerializer, request.data)
        cart_line_set(token=token, sku=sku, quantity=data["quantity"])
        return _cart_response(token)

    @extend_schema(responses={200: CartOut, **problem_responses(CART_CHANGE_PROBLEMS)})
    def delete(self, request: Request, token: str, sku: str) -> Response:
        cart_line_remove(token=token, sku=sku)
        return _cart_response(token)


class CartVoucherView(PrivateView):
    def get_throttles(self) -> list:
        return [VoucherThrottle()] if self.request.method == "PUT" else []

    @extend_schema(
        request=VoucherSerializer,
        responses={
            200: CartOut,
            **problem_responses(
                {
                    **CART_PROBLEMS,
                    400: ["validation_error"],
                    409: ["cart_completed"],
                    422: ["voucher_invalid", "cart_empty"],
                    429: ["throttled"],
                }
            ),
        },
    )
    def put(self, request: Request, token: str) -> Response:
        data = _valid(VoucherSerializer, request.data)
        cart_voucher_apply(token=token, code=data["code"])
        return _cart_response(token)

    @extend_schema(responses={200: CartOut, **problem_responses({**CART_PROBLEMS, 409: ["cart_completed"]})})
    def delete(self, request: Request, token: str) -> Response:
        cart_voucher_remove(token=token)
        return _cart_response(token)


class CartCompleteView(PrivateView):
    throttle_classes = [CompleteAddressThrottle, CompleteCartThrottle, PaymentDeclinesThrottle]

    @extend_schema(
        request=CompleteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: OrderOut, **problem_responses(COMPLETE_PROBLEMS)},
        description=(
            "Place the order: prices are the server's, the payment session must hold exactly the order's total "
            "(else 409 `payment_amount_mismatch`), stock is reserved, and the order answered with status `placed`. "
            "A session awaiting the customer answers 402 `payment_action_required` with the provider's `next_action`: "
            "once the customer acted, complete again with the same Idempotency-Key. A declined payment is 402 "
            "`payment_declined` with its `decline_code`; the provider down is 503, with nothing held. Settling "
            "(committing the stock, then capturing the payment) and the confirmation email follow right after the "
            "answer; read the order to see it `paid`."
        ),
    )
    def post(self, request: Request, token: str) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 255:
            raise ValidationError(
                {"Idempotency-Key": ["The Idempotency-Key header is required (1 to 255 characters)."]},
                code="idempotency_key_required",
            )
        data = _valid(CompleteSerializer, request.data)
        fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        result = checkout_complete(
            cart_token=token,
            key=key,
            request=CompleteRequest(
                email=data["email"],
                shipping_address=_shipping_address(request, data),
                payment_session=data["payment"].get("session"),
                # The former shape ({"method", "token"}): pay at once; no token meant the test card.
                payment_method=None if "session" in data["payment"] else data["payment"].get("token") or "pm_card_visa",
                fingerprint=fingerprint,
            ),
            customer_id=_customer_id(request),
        )
        response = Response(_order_rendered(result.body) if result.status == 201 else result.body, status=result.status)
        if result.status >= 400:
            response.content_type = PROBLEM_CONTENT_TYPE
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        elif result.body.get("code") == "payment_declined":
            payment_decline_record(cart_token=token)
        return response


class OrderDetailView(PrivateView):
    @extend_schema(parameters=ORDER_TOKEN_PARAMETERS, responses={200: OrderOut, **problem_responses(ORDER_PROBLEMS)})
    def get(self, request: Request, number: str) -> Response:
        order = selectors.order_get_for(
            number=number, access_token=_order_token(request), customer_id=_customer_id(request)
        )
        return Response(_order_rendered(selectors.order_document(order=order)))


class OrderCancelView(PrivateView):
    @extend_schema(
        request=None,
        parameters=ORDER_TOKEN_PARAMETERS,
        responses={200: OrderOut, **problem_responses({**ORDER_PROBLEMS, 409: ["invalid_transition"]})},
    )
    def post(self, request: Request, number: str) -> Response:
        selectors.order_get_for(
            number=number, access_token=_order_token(request), customer_id=_customer_id(request)
        )
        order = order_cancel(number=number)
        return Response(_order_rendered(selectors.order_document(order=order)))


class OrderListView(PrivateView, GenericAPIView):
    """Orders of the signed-in customer, newest first."""

    @extend_schema(
        operation_id="checkout_orders_list",
        responses={
            200: OrderOut(many=True),
            **problem_responses({400: ["validation_error"], 401: ["not_authenticated"], 404: ["not_found"]}),
        },
    )
    def get(self, request: Request) -> Response:
        customer_id = _customer_id(request)
        if customer_id is None:
            raise NotAuthenticated("Sign in to list your orders.")
        page = self.paginate_queryset(selectors.orders_of_customer(customer_id=customer_id))
        return self.get_paginated_response([_order_rendered(selectors.order_document(order=order)) for order in page])


# How one answer feeds the next call: cart → lines → voucher → complete → order → cancel (OpenAPI links).
_CART = {"path.token": "$response.body#/token"}
_LINE = {**_CART, "path.sku": "$request.body#/sku"}
_ORDER = {"path.number": "$response.body#/number", "header.Order-Token": "$response.body#/access_token"}
for _source, _status in (
    ("v1_checkout_carts_create", 201),
    ("v1_checkout_carts_lines_create", 200),
    ("v1_checkout_carts_voucher_update", 200),
):
    for _name, _target in (
        ("AddLine", "v1_checkout_carts_lines_create"),
        ("GetCart", "v1_checkout_carts_retrieve"),
        ("ApplyVoucher", "v1_checkout_carts_voucher_update"),
        ("Complete", "v1_checkout_carts_complete_create"),
    ):
        api_link_add(source=_source, status=_status, name=_name, target=_target, parameters=_CART)
for _name, _target in (("SetLine", "v1_checkout_carts_lines_partial_update"), ("RemoveLine", "v1_checkout_carts_lines_destroy")):
    api_link_add(source="v1_checkout_carts_lines_create", status=200, name=_name, target=_target, parameters=_LINE)
api_link_add(
    source="v1_checkout_carts_voucher_update", status=200, name="RemoveVoucher", target="v1_checkout_carts_voucher_destroy", parameters=_CART
)
for _name, _target in (("GetOrder", "v1_checkout_orders_retrieve"), ("CancelOrder", "v1_checkout_orders_cancel_create")):
    api_link_add(source="v1_checkout_carts_complete_create", status=201, name=_name, target=_target, parameters=_ORDER)
