"""Storefront customers on any API request: ``Authorization: Bearer <access token>``.

Listed in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``. The token is
resolved through the customers contract (``services().customers``), so this
class works in any process, whether customers runs here or elsewhere; it
imports no model. ``request.user`` becomes a ``CustomerPrincipal`` whose
``pk`` is the customer id (what checkout stores as ``customer_id``) and
``request.auth`` the customer (``contracts.customers.Customer``). Without the
header nothing is asked; a bad token is a 401 ``token_invalid``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from contracts.container import services
from contracts.customers import Customer, CustomerTokenInvalid

MAX_TOKEN_LENGTH = 2048


class CustomerPrincipal:
    """A signed-in storefront customer as ``request.user``: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, customer: Customer, *, token: str) -> None:
        self.customer = customer
        self.pk = self.id = self.customer_id = customer.id
        self.token = token

    def __str__(self) -> str:
        return f"customer {self.customer_id}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


class NotCustomerToken(exceptions.AuthenticationFailed):
    default_code = "token_invalid"


class CustomerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Any) -> tuple[CustomerPrincipal, Customer] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2 or len(parts[1]) > MAX_TOKEN_LENGTH:
            raise NotCustomerToken("The Authorization header must be `Bearer <access token>`.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise NotCustomerToken("The access token is malformed.") from None
        try:
            customer = services().customers.customer_authenticate(access_token=token)
        except CustomerTokenInvalid as error:
            raise NotCustomerToken(error.detail) from None
        return CustomerPrincipal(customer, token=token), customer

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'



class CustomerTokenScheme(OpenApiAuthenticationExtension):
    """How the API document names the customers' Bearer tokens."""

    target_class = "modules.customers.api.authentication.CustomerTokenAuthentication"
    name = "customerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
