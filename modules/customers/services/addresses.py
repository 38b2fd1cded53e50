"""The address book: several addresses, one default for shipping and one for billing."""

from __future__ import annotations

from typing import Any

from contracts.addresses import Address as AddressValue
from kernel.addresses import address_normalize
from kernel.transactions import atomic_for
from modules.customers.models import Address, Customer
from modules.customers.selectors import ADDRESS_FIELDS, address_get


def _defaults_take(*, customer_id: int, shipping: bool, billing: bool, keep: int | None = None) -> None:
    """Clear the other addresses' default flags this address takes (inside the caller's transaction)."""
    others = Address.objects.filter(customer_id=customer_id).exclude(pk=keep)
    if shipping:
        others.filter(is_default_shipping=True).update(is_default_shipping=False)
    if billing:
        others.filter(is_default_billing=True).update(is_default_billing=False)


def _normalized(fields: dict[str, Any]) -> dict[str, str]:
    """Return the address fields normalized by the country's rules; raises ``InvalidInput`` per bad field."""
    value = address_normalize(AddressValue(**{k: fields.get(k, "") for k in ADDRESS_FIELDS}))
    return {k: getattr(value, k) for k in ADDRESS_FIELDS}


def address_create(
    *, customer: Customer, fields: dict[str, Any], is_default_shipping: bool = False, is_default_billing: bool = False
) -> Address:
    """Add an address; the first one becomes the default for shipping and billing."""
    values = _normalized(fields)
    with atomic_for(Address):
        Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one writer per address book
        first = not Address.objects.filter(customer=customer).exists()
        shipping, billing = is_default_shipping or first, is_default_billing or first
        _defaults_take(customer_id=customer.pk, shipping=shipping, billing=billing)
        return Address.objects.create(customer=customer, is_default_shipping=shipping, is_default_billing=billing, **values)


def address_update(
    *,
    customer: Customer,
    address_id: int,
    fields: dict[str, Any],
    is_default_shipping: bool | None = None,
    is_default_billing: bool | None = None,
) -> Address:
    """Change an address (a partial change is checked as the whole address it makes) and its default flags."""
    with atomic_for(Address):
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        address = address_get(customer_id=customer.pk, address_id=address_id)
        values = _normalized({**{k: getattr(address, k) for k in ADDRESS_FIELDS}, **fields})
        for key, value in values.items():
            setattr(address, key, value)
        _defaults_take(customer_id=customer.pk, shipping=bool(is_default_shipping), billing=bool(is_default_billing), keep=address.pk)
        if is_default_shipping is not None:
            address.is_default_shipping = is_default_shipping
        if is_default_billing is not None:
            address.is_default_billing = is_default_billing
        address.save()
        return address


def address_delete(*, customer: Customer, address_id: int) -> None:
    with atomic_for(Address):
        address_get(customer_id=customer.pk, address_id=address_id).delete()
