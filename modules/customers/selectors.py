"""Reads of the customers module."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from contracts.container import contract_protocols, services
from contracts.customers import CustomerAddressNotFound, CustomerNotFound
from modules.customers.models import Address, Customer, SignInSession

ADDRESS_FIELDS = ("name", "company", "line1", "line2", "city", "region", "postal_code", "country", "phone")


def email_normalize(email: str) -> str:
    """Return the one spelling of an email this module stores and looks up: trimmed, lower case."""
    return email.strip().lower()


def customer_get(*, customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id, erased_at__isnull=True).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def customer_by_email(*, email: str) -> Customer | None:
    return Customer.objects.filter(email=email_normalize(email), erased_at__isnull=True).first()


def session_of_token(*, sid: str, customer_id: int) -> SignInSession | None:
    """Return the sign-in session ``sid`` of the customer, with the customer, in one query."""
    return SignInSession.objects.select_related("customer").filter(sid=sid, customer_id=customer_id).first()


def addresses_of(*, customer_id: int) -> QuerySet[Address]:
    return Address.objects.filter(customer_id=customer_id).order_by("id")


def address_get(*, customer_id: int, address_id: int) -> Address:
    """Return one address of the customer's book; another customer's answers exactly like a missing one."""
    address = Address.objects.filter(pk=address_id, customer_id=customer_id).first()
    if address is None:
        raise CustomerAddressNotFound()
    return address


def personal_data_modules() -> list[str]:
    """The modules whose contract offers ``personal_data_export``: those that hold something about a customer."""
    return [name for name, protocol in contract_protocols().items() if name != "customers" and hasattr(protocol, "personal_data_export")]


def personal_data_gather(*, customer_id: int) -> dict[str, Any]:
    """Everything the shop holds about the customer: this module's records, then each other module's, by contract.

    A module that cannot answer fails the export (``ServiceUnavailable``): an export is complete or not given.
    """
    customer = customer_get(customer_id=customer_id)
    own = {
        "customer": {
            "id": customer.pk,
            "email": customer.email,
            "email_confirmed_at": customer.email_confirmed_at,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "phone": customer.phone,
            "marketing_consent": customer.marketing_consent,
            "marketing_consent_at": customer.marketing_consent_at,
            "created_at": customer.created_at,
            "last_login": customer.last_login,
        },
        "addresses": [
            {field: getattr(address, field) for field in (*ADDRESS_FIELDS, "is_default_shipping", "is_default_billing")}
            for address in addresses_of(customer_id=customer_id)
        ],
        "sessions": [
            {"signed_in_at": s.created_at, "signed_out_at": s.signed_out_at} for s in customer.sessions.order_by("-created_at")
        ],
    }
    others = {name: list(getattr(services(), name).personal_data_export(customer_id=customer_id, email=customer.email).records) for name in personal_data_modules()}
    return {"customers": own, **others}
