"""The customers contract in memory: customers, their access tokens and their address books.

Tokens are opaque strings handed out by ``customer_add`` (and ``token_issue``);
``tokens_revoke`` stands for signing out everywhere, a password change or a
deactivation. One customer's address answers ``CustomerAddressNotFound`` to
another, as in the module. No events.
"""

from __future__ import annotations

import dataclasses
import secrets

from contracts.addresses import Address
from contracts.customers import (
    Customer,
    CustomerAddress,
    CustomerAddressNotFound,
    CustomerNotFound,
    CustomerTokenInvalid,
)
from tests.fakes.recording import Recording


class FakeCustomers(Recording):
    """Implements ``contracts.customers.CustomersService``."""

    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[int, Customer] = {}
        self.tokens: dict[str, int] = {}
        self.addresses: dict[int, CustomerAddress] = {}

    # --- test set-up ----------------------------------------------------------------------------

    def customer_add(self, email: str, *, confirmed: bool = True, **fields: object) -> tuple[Customer, str]:
        """Add a customer; return it with an access token of theirs."""
        customer = Customer(id=len(self.customers) + 1, email=email.strip().lower(), email_confirmed=confirmed, is_active=True, **fields)
        self.customers[customer.id] = customer
        return customer, self.token_issue(customer.id)

    def token_issue(self, customer_id: int) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = customer_id
        return token

    def tokens_revoke(self, customer_id: int) -> None:
        """Revoke every token of the customer."""
        self.tokens = {token: owner for token, owner in self.tokens.items() if owner != customer_id}

    def deactivate(self, customer_id: int) -> None:
        self.customers[customer_id] = dataclasses.replace(self.customers[customer_id], is_active=False)
        self.tokens_revoke(customer_id)

    def address_add(self, customer_id: int, address: Address, *, shipping: bool = False, billing: bool = False) -> CustomerAddress:
        entry = CustomerAddress(
            id=len(self.addresses) + 1,
            customer_id=customer_id,
            address=address,
            is_default_shipping=shipping,
            is_default_billing=billing,
        )
        self.addresses[entry.id] = entry
        return entry

    # --- the contract ---------------------------------------------------------------------------

    def customer_authenticate(self, *, access_token: str) -> Customer:
        self._enter("customer_authenticate", access_token=access_token)
        customer = self.customers.get(self.tokens.get(access_token, 0))
        if customer is None or not customer.is_active:
            raise CustomerTokenInvalid("The token was revoked: sign in again.")
        return customer

    def customer_get(self, *, customer_id: int) -> Customer:
        self._enter("customer_get", customer_id=customer_id)
        if customer_id not in self.customers:
            raise CustomerNotFound()
        return self.customers[customer_id]

    def address_get(self, *, customer_id: int, address_id: int) -> CustomerAddress:
        self._enter("address_get", customer_id=customer_id, address_id=address_id)
        entry = self.addresses.get(address_id)
        if entry is None or entry.customer_id != customer_id:
            raise CustomerAddressNotFound()
        return entry
