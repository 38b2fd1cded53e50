"""Thin views of the payments API: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from contracts.container import services
from contracts.payments import PaymentDeclined
from kernel.schema import problem_responses
from kernel.throttles import throttle_for
from modules.payments.api.serializers import (
    AuthenticateSerializer,
    RefundCreateSerializer,
    RefundOut,
    SessionCreateSerializer,
    SessionOut,
)
from modules.payments.models import Payment, Refund
from modules.payments.providers import provider_get
from modules.payments.services.sessions import session_create, session_get
from modules.payments.services.settlement import refund_create

PaymentSessionThrottle = throttle_for("payment_session")


def _declines_key(cart: object) -> str:
    return f"payments:declines:{cart}"


class SessionDeclinesThrottle(BaseThrottle):
    """After ``CHECKOUT_PAYMENT_DECLINES_MAX`` declined cards, a cart's sessions answer 429 for the cool-down.

    Without it, opening sessions with card after card is a card-testing oracle.
    """

    def allow_request(self, request: Any, view: Any) -> bool:
        if not settings.THROTTLES_ENABLED or not isinstance(request.data, dict):
            return True
        return (cache.get(_declines_key(request.data.get("cart"))) or 0) < settings.CHECKOUT_PAYMENT_DECLINES_MAX

    def wait(self) -> float:
        return float(settings.CHECKOUT_PAYMENT_DECLINES_COOLDOWN_SECONDS)


def _valid(serializer_class: type, data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def session_document(payment: Payment) -> dict:
    return SessionOut(
        {
            "id": payment.session_id,
            "status": payment.status,
            "amount": payment.amount,
            "currency": payment.currency,
            "provider": payment.provider,
            "client_secret": payment.client_secret,
            "next_action": payment.next_action,
            "decline_code": payment.decline_code,
        }
    ).data


def refund_document(refund: Refund) -> dict:
    return RefundOut(
        {
            "id": str(refund.pk),
            "amount": refund.amount,
            "reason": refund.reason,
            "actor": refund.actor,
            "provider_refund_id": refund.provider_refund_id,
            "status": refund.status,
            "created": refund.created_at,
        }
    ).data


class PrivateView(APIView):
    """A payments view: a session is one customer's, so no cache may keep it."""

    def finalize_response(self, request: Request, response: Response, *args: object, **kwargs: object) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


class SessionCreateView(PrivateView):
    throttle_classes = [PaymentSessionThrottle, SessionDeclinesThrottle]

    @extend_schema(
        request=SessionCreateSerializer,
        responses={
            201: SessionOut,
            **problem_responses(
                {
                    400: ["validation_error", "cart_empty", "invalid"],
                    402: ["payment_declined"],
                    404: ["cart_not_found"],
                    409: ["cart_completed", "items_unavailable"],
                    422: ["price_not_found", "voucher_invalid"],
                    429: ["throttled"],
                    503: ["payment_provider_unavailable", "payment_not_configured"],
                }
            ),
        },
        description=(
            "Open a payment session for the cart's total now (the server prices it; no amount is sent). Pay into it "
            "with the provider's client-side library and `client_secret`, or at once with `payment_method`; then "
            "complete the cart naming the session. A declined `payment_method` is 402 `payment_declined` with its "
            "`decline_code`; the provider down is 503 `payment_provider_unavailable`."
        ),
    )
    def post(self, request: Request) -> Response:
        """Open a payment session for the cart's total now."""
        data = _valid(SessionCreateSerializer, request.data)
        total = services().checkout.cart_total_get(token=data["cart"], email=data.get("email"))
        try:
            payment = session_create(
                reference=data["cart"], amount=total.total, currency=total.currency, payment_method=data.get("payment_method", "")
            )
        except PaymentDeclined:
            key = _declines_key(data["cart"])
            cache.set(key, (cache.get(key) or 0) + 1, timeout=settings.CHECKOUT_PAYMENT_DECLINES_COOLDOWN_SECONDS)
            raise
        return Response(session_document(payment), status=201)


class SessionDetailView(PrivateView):
    @extend_schema(responses={200: SessionOut, **problem_responses({404: ["payment_session_not_found"]})})
    def get(self, request: Request, session_id: str) -> Response:
        """Return the session as last recorded (its status moves with the customer, the provider and the order)."""
        return Response(session_document(session_get(session_id=session_id)))


class RefundsView(PrivateView):
    """Refunds of a captured payment, for staff with the refund permission."""

    permission_classes = [IsAdminUser]

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not request.user.has_perm("payments.refund_payment"):
            self.permission_denied(request, message="Refunding needs the payments.refund_payment permission.")

    @extend_schema(
        operation_id="v1_payments_sessions_refunds_list",
        responses={200: RefundOut(many=True), **problem_responses({403: ["permission_denied", "not_authenticated"], 404: ["payment_session_not_found"]})},
    )
    def get(self, request: Request, session_id: str) -> Response:
        """List the refunds of the session, oldest first (staff with the refund permission)."""
        payment = session_get(session_id=session_id)
        return Response([refund_document(refund) for refund in payment.refunds.all()])

    @extend_schema(
        request=RefundCreateSerializer,
        responses={
            201: RefundOut,
            **problem_responses(
                {
                    400: ["validation_error", "invalid"],
                    403: ["permission_denied", "not_authenticated"],
                    404: ["payment_session_not_found"],
                    409: ["nothing_to_refund", "refund_pending"],
                    503: ["payment_provider_unavailable"],
                }
            ),
        },
        description="Refund all that is left, or `amount` of it; who and why are recorded with the provider's reference.",
    )
    def post(self, request: Request, session_id: str) -> Response:
        """Refund part or all of what the session captured (staff with the refund permission)."""
        data = _valid(RefundCreateSerializer, request.data)
        payment = session_get(session_id=session_id)
        refund = refund_create(payment=payment, amount=data.get("amount"), reason=data["reason"], actor=request.user.get_username())
        return Response(refund_document(refund), status=201)


class TestAuthenticateView(PrivateView):
    """The test provider's stand-in for the bank's 3-D Secure page; absent with any other provider."""

    @extend_schema(request=AuthenticateSerializer, responses={200: None}, exclude=True)
    def post(self, request: Request, intent_id: str) -> Response:
        provider = provider_get()
        if settings.PAYMENTS_PROVIDER != "test" or not hasattr(provider, "intent_authenticate"):
            raise Http404()
        data = _valid(AuthenticateSerializer, request.data)
        intent = provider.intent_authenticate(intent_id=intent_id, succeed=data["result"] == "succeed")
        return Response({"intent": intent.id, "status": intent.status})
