"""Customers contract: the storefront's shoppers (not staff), who they are and where they ship to.

A customer signs in with an email and a password and holds short-lived
access tokens; any module learns who a request's customer is only by asking
this contract (``customer_authenticate``) with the token, never by reading
the customers module's tables. Addresses of the address book are the shared
``contracts.addresses.Address``, so checkout can take one by reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from contracts.addresses import Address
from contracts.errors import ContractError, NotFound
from contracts.events import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    id: int
    email: str
    email_confirmed: bool
    is_active: bool
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    marketing_consent: bool = False
    marketing_consent_at: datetime | None = None  # when the consent was given; None while not given


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerAddress:
    """One entry of a customer's address book."""

    id: int
    customer_id: int
    address: Address
    is_default_shipping: bool = False
    is_default_billing: bool = False


class CustomerNotFound(NotFound):
    """No such customer."""

    code = "customer_not_found"


class CustomerAddressNotFound(NotFound):
    """No such address in this customer's address book."""

    code = "address_not_found"


class CustomerTokenInvalid(ContractError):
    """The access token is malformed, expired, revoked, or its customer is deactivated: sign in again."""

    code = "token_invalid"


class CustomersService(Protocol):
    def customer_authenticate(self, *, access_token: str) -> Customer:
        """Return the customer an access token was issued to; raises ``CustomerTokenInvalid``.

        Checks the signature, the expiry, and that the token was not revoked
        (signed out everywhere, password changed, account deactivated).
        """
        ...

    def customer_get(self, *, customer_id: int) -> Customer:
        """Return the customer ``customer_id``; raises ``CustomerNotFound``."""
        ...

    def address_get(self, *, customer_id: int, address_id: int) -> CustomerAddress:
        """Return one address of the customer's book; another customer's is ``CustomerAddressNotFound`` too."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRegistered(Event):
    name = "customers.CustomerRegistered"
    publisher = "customers"

    customer_id: int
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerEmailConfirmed(Event):
    """The customer proved they read ``email``: guest orders placed with it may be attached to the account."""

    name = "customers.CustomerEmailConfirmed"
    publisher = "customers"

    customer_id: int
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerSignedIn(Event):
    name = "customers.CustomerSignedIn"
    publisher = "customers"

    customer_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerDeactivated(Event):
    name = "customers.CustomerDeactivated"
    publisher = "customers"

    customer_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerErased(Event):
    """The customer asked to be forgotten: every module anonymizes what it holds about them.

    ``email`` is the address they had, so modules that keyed data by email
    (guest orders) can find it; it is the last time it travels.
    """

    name = "customers.CustomerErased"
    publisher = "customers"

    customer_id: int
    email: str
