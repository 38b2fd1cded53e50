"""Thin views of the customers API: parse, call one service, render.

Accounts are one customer's: every answer is ``Cache-Control: no-store, private``.
"""

from __future__ import annotations

from typing import Any

from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.schema import problem_responses
from modules.customers import selectors
from modules.customers.api.authentication import CustomerPrincipal, CustomerTokenAuthentication
from modules.customers.api.serializers import (
    CustomerAcceptedOut,
    CustomerEmailChangeSerializer,
    CustomerEmailSerializer,
    CustomerEraseSerializer,
    CustomerLinkSerializer,
    CustomerOut,
    CustomerPasswordChangeSerializer,
    CustomerPasswordResetConfirmSerializer,
    CustomerProfileSerializer,
    CustomerRefreshSerializer,
    CustomerRegisterSerializer,
    CustomerSavedAddressOut,
    CustomerSavedAddressSerializer,
    CustomerSignInSerializer,
    CustomerSignOutSerializer,
    CustomerTokensOut,
)
from modules.customers.api.throttles import (
    RegisterAddressThrottle,
    ResetAddressThrottle,
    ResetEmailThrottle,
    SignInAddressThrottle,
    SignInEmailThrottle,
)
from modules.customers.facade import to_address, to_customer
from modules.customers.models import Customer
from modules.customers.services import accounts, addresses, passwords, sessions
from modules.customers.tokens import CustomerAccessToken, token_claims

ACCEPTED = "If the address can be used, an email is on its way: follow its link."


class IsCustomer(BasePermission):
    """A signed-in storefront customer (a Bearer access token); staff sessions are not customers."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.user, CustomerPrincipal):
            raise NotAuthenticated("Sign in: send `Authorization: Bearer <access token>`.")
        return request.user.is_authenticated  # asks the contract: a bad token is a 401 here


class CustomerView(APIView):
    """A customers endpoint: Bearer tokens only (no session cookie), and nothing cached."""

    authentication_classes = [CustomerTokenAuthentication]

    def finalize_response(self, request: Request, response: Response, *args: object, **kwargs: object) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


class SignedInView(CustomerView):
    permission_classes = [IsCustomer]

    def customer(self, request: Request) -> Customer:
        return selectors.customer_get(customer_id=request.user.pk)


def _valid(serializer_class: type, data: object, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _tokens(pair: sessions.TokenPair) -> dict:
    return CustomerTokensOut(
        {
            "access": pair.access,
            "refresh": pair.refresh,
            "access_expires_at": pair.access_expires_at,
            "refresh_expires_at": pair.refresh_expires_at,
        }
    ).data


def _accepted() -> Response:
    return Response(CustomerAcceptedOut({"detail": ACCEPTED}).data, status=202)


def _address_out(address: Any) -> dict:
    value = to_address(address)
    return CustomerSavedAddressOut(
        {
            "id": value.id,
            **{field: getattr(value.address, field) for field in selectors.ADDRESS_FIELDS},
            "is_default_shipping": value.is_default_shipping,
            "is_default_billing": value.is_default_billing,
        }
    ).data


class RegisterView(CustomerView):
    # Per email too: registering is also a way to make the shop email someone (an "already registered" note).
    throttle_classes = [RegisterAddressThrottle, ResetEmailThrottle]

    @extend_schema(
        request=CustomerRegisterSerializer,
        responses={202: CustomerAcceptedOut, **problem_responses({400: ["password_rejected", "invalid"]})},
        description="Open an account. The answer is the same whether the email already has one (the email sent says "
        "what happened); the account can sign in once the link emailed is opened.",
    )
    def post(self, request: Request) -> Response:
        accounts.customer_register(**_valid(CustomerRegisterSerializer, request.data))
        return _accepted()


class EmailConfirmView(CustomerView):
    @extend_schema(request=CustomerLinkSerializer, responses={200: CustomerOut, **problem_responses({400: ["link_invalid"]})})
    def post(self, request: Request) -> Response:
        customer = accounts.email_confirm(token=_valid(CustomerLinkSerializer, request.data)["token"])
        return Response(CustomerOut(to_customer(customer)).data)


class EmailConfirmResendView(CustomerView):
    throttle_classes = [ResetAddressThrottle, ResetEmailThrottle]

    @extend_schema(request=CustomerEmailSerializer, responses={202: CustomerAcceptedOut})
    def post(self, request: Request) -> Response:
        customer = selectors.customer_by_email(email=_valid(CustomerEmailSerializer, request.data)["email"])
        if customer is not None and customer.is_active:
            accounts.email_confirmation_send(customer=customer)
        return _accepted()


class SignInView(CustomerView):
    throttle_classes = [SignInAddressThrottle, SignInEmailThrottle]

    @extend_schema(
        request=CustomerSignInSerializer,
        responses={200: CustomerTokensOut, **problem_responses({401: ["credentials_invalid"], 403: ["email_unconfirmed"]})},
    )
    def post(self, request: Request) -> Response:
        return Response(_tokens(sessions.customer_sign_in(**_valid(CustomerSignInSerializer, request.data))))


class TokenRefreshView(CustomerView):
    @extend_schema(request=CustomerRefreshSerializer, responses={200: CustomerTokensOut, **problem_responses({401: ["token_invalid"]})})
    def post(self, request: Request) -> Response:
        return Response(_tokens(sessions.token_refresh(refresh=_valid(CustomerRefreshSerializer, request.data)["refresh"])))


class SignOutView(SignedInView):
    @extend_schema(request=CustomerSignOutSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = _valid(CustomerSignOutSerializer, request.data)
        session_id = token_claims(token=request.user.token, kind=CustomerAccessToken)["sid"]
        sessions.customer_sign_out(customer=self.customer(request), session_id=session_id, everywhere=data["everywhere"])
        return Response(status=204)


class PasswordResetView(CustomerView):
    throttle_classes = [ResetAddressThrottle, ResetEmailThrottle]

    @extend_schema(request=CustomerEmailSerializer, responses={202: CustomerAcceptedOut})
    def post(self, request: Request) -> Response:
        passwords.password_reset_request(email=_valid(CustomerEmailSerializer, request.data)["email"])
        return _accepted()


class PasswordResetConfirmView(CustomerView):
    throttle_classes = [ResetAddressThrottle]

    @extend_schema(
        request=CustomerPasswordResetConfirmSerializer,
        responses={204: None, **problem_responses({400: ["link_invalid", "password_rejected"]})},
    )
    def post(self, request: Request) -> Response:
        passwords.password_reset_confirm(**_valid(CustomerPasswordResetConfirmSerializer, request.data))
        return Response(status=204)


class EmailChangeConfirmView(CustomerView):
    @extend_schema(request=CustomerLinkSerializer, responses={200: CustomerOut, **problem_responses({400: ["link_invalid"]})})
    def post(self, request: Request) -> Response:
        customer = passwords.email_change_confirm(token=_valid(CustomerLinkSerializer, request.data)["token"])
        return Response(CustomerOut(to_customer(customer)).data)


class MeView(SignedInView):
    @extend_schema(responses={200: CustomerOut})
    def get(self, request: Request) -> Response:
        return Response(CustomerOut(to_customer(self.customer(request))).data)

    @extend_schema(request=CustomerProfileSerializer, responses={200: CustomerOut})
    def patch(self, request: Request) -> Response:
        data = _valid(CustomerProfileSerializer, request.data)
        customer = accounts.customer_profile_update(customer=self.customer(request), **data)
        return Response(CustomerOut(to_customer(customer)).data)


class PasswordChangeView(SignedInView):
    throttle_classes = [SignInAddressThrottle]

    @extend_schema(
        request=CustomerPasswordChangeSerializer,
        responses={200: CustomerTokensOut, **problem_responses({401: ["credentials_invalid"], 400: ["password_rejected"]})},
        description="Every token of the account is revoked (every device signs out); this device gets a new pair.",
    )
    def post(self, request: Request) -> Response:
        return Response(_tokens(passwords.password_change(customer=self.customer(request), **_valid(CustomerPasswordChangeSerializer, request.data))))


class EmailChangeView(SignedInView):
    throttle_classes = [SignInAddressThrottle]

    @extend_schema(request=CustomerEmailChangeSerializer, responses={202: CustomerAcceptedOut, **problem_responses({401: ["credentials_invalid"]})})
    def post(self, request: Request) -> Response:
        passwords.email_change_request(customer=self.customer(request), **_valid(CustomerEmailChangeSerializer, request.data))
        return _accepted()


class AddressesView(SignedInView):
    @extend_schema(responses={200: CustomerSavedAddressOut(many=True)})
    def get(self, request: Request) -> Response:
        return Response([_address_out(a) for a in selectors.addresses_of(customer_id=request.user.pk)])

    @extend_schema(request=CustomerSavedAddressSerializer, responses={201: CustomerSavedAddressOut})
    def post(self, request: Request) -> Response:
        data = dict(_valid(CustomerSavedAddressSerializer, request.data))
        flags = {k: data.pop(k) for k in ("is_default_shipping", "is_default_billing") if k in data}
        address = addresses.address_create(customer=self.customer(request), fields=data, **flags)
        return Response(_address_out(address), status=201)


class AddressView(SignedInView):
    @extend_schema(responses={200: CustomerSavedAddressOut})
    def get(self, request: Request, address_id: int) -> Response:
        return Response(_address_out(selectors.address_get(customer_id=request.user.pk, address_id=address_id)))

    @extend_schema(request=CustomerSavedAddressSerializer, responses={200: CustomerSavedAddressOut})
    def patch(self, request: Request, address_id: int) -> Response:
        data = dict(_valid(CustomerSavedAddressSerializer, request.data, partial=True))
        flags = {k: data.pop(k) for k in ("is_default_shipping", "is_default_billing") if k in data}
        address = addresses.address_update(customer=self.customer(request), address_id=address_id, fields=data, **flags)
        return Response(_address_out(address))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, address_id: int) -> Response:
        addresses.address_delete(customer=self.customer(request), address_id=address_id)
        return Response(status=204)


class EraseView(SignedInView):
    throttle_classes = [SignInAddressThrottle]

    @extend_schema(
        request=CustomerEraseSerializer,
        responses={204: None, **problem_responses({401: ["credentials_invalid"]})},
        description="Forget this account: every module anonymizes what it holds (orders keep their amounts, lose the "
        "email, name and address), every token is revoked. Cannot be undone.",
    )
    def post(self, request: Request) -> Response:
        password = _valid(CustomerEraseSerializer, request.data)["password"]
        accounts.customer_erase_confirmed(customer=self.customer(request), password=password)
        return Response(status=204)


class ExportView(SignedInView):
    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **problem_responses({503: ["service_unavailable"]})},
        description="Everything the shop holds about the signed-in customer, as JSON: their account, address book and "
        "sign-ins, and what every other module holds (checkout: their orders). Complete, or 503 when a module cannot answer.",
    )
    def get(self, request: Request) -> Response:
        response = Response(selectors.personal_data_gather(customer_id=request.user.pk))
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response
