"""Reads of the customers module."""

from __future__ import annotations

from django.db.models import QuerySet

from contracts.customers import CustomerAddressNotFound, CustomerNotFound
from modules.customers.models import Address, Customer, SignInSession


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
