"""Storefront customers on any API request: ``Authorization: Bearer <access token>``.

Listed first in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``. The
token is resolved through the customers contract
(``services().customers.customer_authenticate``), so this class works in any
process, whether customers runs here or elsewhere; it imports no model.

``request.user`` becomes a ``CustomerPrincipal``, resolved lazily: the
contract is asked (once per request) the first time the view asks who the
customer is (``is_authenticated``, ``pk``, ``customer_id``, ``customer``), so a
view that never does — a catalog page a signed-in storefront reads — costs
nothing, and a token that is expired, revoked or forged is a 401
``token_invalid`` wherever it matters. ``pk`` is the customer id (what
checkout stores as ``customer_id``). Without the header nothing is asked; a
malformed header is a 401 at once.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from contracts.container import services
from contracts.customers import Customer, CustomerTokenInvalid

MAX_TOKEN_LENGTH = 2048


class NotCustomerToken(exceptions.AuthenticationFailed):
    default_code = "token_invalid"


class CustomerPrincipal:
    """A storefront customer as ``request.user``: never staff; who it is, asked of the contract when first needed."""

    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, *, token: str) -> None:
        self.token = token
        self._customer: Customer | None = None

    @property
    def customer(self) -> Customer:
        """The customer the token was issued to; raises ``NotCustomerToken`` (401) when it is not valid."""
        if self._customer is None:
            try:
                self._customer = services().customers.customer_authenticate(access_token=self.token)
            except CustomerTokenInvalid as error:
                raise NotCustomerToken(error.detail) from None
        return self._customer

    @property
    def is_authenticated(self) -> bool:
        return self.customer is not None

    @property
    def pk(self) -> int:
        return self.customer.id

    id = customer_id = pk

    def __str__(self) -> str:
        return "customer" if self._customer is None else f"customer {self._customer.id}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


class CustomerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"
    # What its 401s carry (kernel/schema.py documents them on every operation it guards): a token refused, or none
    # given where a customer is required.
    problem_codes = ("token_invalid", "not_authenticated")

    def authenticate(self, request: Any) -> tuple[CustomerPrincipal, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2 or len(parts[1]) > MAX_TOKEN_LENGTH or parts[1].count(b".") != 2:
            raise NotCustomerToken("The Authorization header must be `Bearer <access token>`.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise NotCustomerToken("The access token is malformed.") from None
        return CustomerPrincipal(token=token), token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class CustomerTokenScheme(OpenApiAuthenticationExtension):
    """How the API document names the customers' Bearer tokens."""

    target_class = "modules.customers.api.authentication.CustomerTokenAuthentication"
    name = "customerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
