"""The one postal address every module speaks of: shipping and billing alike.

Validation against each country's rules (which fields it needs, its regions,
its postal-code format) needs a library of address data, so it is not here:
``kernel.addresses.address_normalize`` does it and answers the normalized
address (region as its code, postal code in the country's format), raising
``InvalidInput`` with one ``FieldProblem`` per bad field.
"""

from __future__ import annotations

from dataclasses import dataclass

# Limits every implementation holds an address to, so that a validated address always fits an order's columns.
ADDRESS_FIELD_MAX_LENGTH = {
    "name": 255,
    "company": 255,
    "line1": 255,
    "line2": 255,
    "city": 128,
    "region": 128,
    "postal_code": 32,
    "country": 2,
    "phone": 32,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address; ``country`` is ISO 3166-1 alpha-2 ("DE"), ``region`` the state or province code ("CA")."""

    name: str
    line1: str
    city: str
    country: str
    company: str = ""
    line2: str = ""
    region: str = ""  # required where the country needs it (US states, Canadian provinces, ...)
    postal_code: str = ""  # required and checked where the country has postal codes
    phone: str = ""  # E.164-like: "+" and digits, spaces, dashes, dots, parentheses
