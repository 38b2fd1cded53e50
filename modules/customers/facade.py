"""Implements ``contracts.customers.CustomersService``: the one place where models become contract dataclasses."""

from __future__ import annotations

from contracts.addresses import Address as AddressValue
from contracts.customers import Customer as CustomerValue
from contracts.customers import CustomerAddress
from modules.customers import selectors
from modules.customers.models import Address, Customer
from modules.customers.services import sessions


def to_customer(customer: Customer) -> CustomerValue:
    return CustomerValue(
        id=customer.pk,
        email=customer.email,
        email_confirmed=customer.email_confirmed_at is not None,
        is_active=customer.is_active,
        first_name=customer.first_name,
        last_name=customer.last_name,
        phone=customer.phone,
        marketing_consent=customer.marketing_consent,
        marketing_consent_at=customer.marketing_consent_at,
    )


def to_address(address: Address) -> CustomerAddress:
    return CustomerAddress(
        id=address.pk,
        customer_id=address.customer_id,
        address=AddressValue(
            name=address.name,
            company=address.company,
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country=address.country,
            phone=address.phone,
        ),
        is_default_shipping=address.is_default_shipping,
        is_default_billing=address.is_default_billing,
    )


class CustomersFacade:
    """The customers module as other modules see it."""

    def customer_authenticate(self, *, access_token: str) -> CustomerValue:
        return to_customer(sessions.access_token_check(token=access_token))

    def customer_get(self, *, customer_id: int) -> CustomerValue:
        return to_customer(selectors.customer_get(customer_id=customer_id))

    def address_get(self, *, customer_id: int, address_id: int) -> CustomerAddress:
        return to_address(selectors.address_get(customer_id=customer_id, address_id=address_id))
