"""The customers contract behaves the same in the module, over HTTP, and in its fake.

Beside ``test_conformance.py`` (same fixture shape) so the customers module
adds its contract's tests without touching the shop's.
"""

from __future__ import annotations

import pytest

from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.addresses import Address
from contracts.container import services
from contracts.customers import Customer, CustomerAddress, CustomerAddressNotFound, CustomerNotFound, CustomerTokenInvalid
from tests.fakes.customers import FakeCustomers

TOKEN = "conformance-test-token-of-32-characters-at-least"
BERLIN = Address(name="Ada Lovelace", line1="Unter den Linden 1", city="Berlin", postal_code="10117", country="DE")

WITH_DATABASE = pytest.mark.django_db(transaction=True)


class Shop:
    """Customers set up in the module (local, HTTP) or in the fake, the same way."""

    def __init__(self, fake: FakeCustomers | None = None) -> None:
        self.fake = fake

    def customer_add(self, email: str) -> tuple[int, str]:
        if self.fake is not None:
            customer, token = self.fake.customer_add(email, first_name="Ada")
            return customer.id, token
        from django.utils import timezone

        from modules.customers.models import Customer as Row
        from modules.customers.services.sessions import session_open

        row = Row.objects.create(email=email, password="!", first_name="Ada", email_confirmed_at=timezone.now())
        return row.pk, session_open(customer=row).access

    def address_add(self, customer_id: int) -> int:
        if self.fake is not None:
            return self.fake.address_add(customer_id, BERLIN, shipping=True, billing=True).id
        from modules.customers.models import Customer as Row
        from modules.customers.services.addresses import address_create

        fields = {name: getattr(BERLIN, name) for name in ("name", "line1", "city", "postal_code", "country")}
        return address_create(customer=Row.objects.get(pk=customer_id), fields=fields).pk

    def revoke(self, customer_id: int) -> None:
        if self.fake is not None:
            self.fake.deactivate(customer_id)
            return
        from modules.customers.services.accounts import customer_deactivate

        customer_deactivate(customer_id=customer_id)


@pytest.fixture(params=[pytest.param("local", marks=WITH_DATABASE), pytest.param("http", marks=WITH_DATABASE), "fake"])
def customers(request, settings):
    """Return (the customers contract under test, its set-up)."""
    if request.param == "fake":
        fake = FakeCustomers()
        return fake, Shop(fake)
    if request.param == "local":
        return services().customers, Shop()
    live_server = request.getfixturevalue("live_server")
    settings.CONTRACTS_SERVE_TOKENS = {"+".join(settings.MODULES): TOKEN}
    client = ContractClient(
        module="customers", protocol=CONTRACT_PROTOCOLS["customers"], base_url=live_server.url, token=TOKEN, timeout=10
    )
    return client, Shop()


def test_customers_authenticate_answers_the_tokens_customer(customers):
    contract, shop = customers
    customer_id, token = shop.customer_add("ada@example.com")
    customer = contract.customer_authenticate(access_token=token)
    assert isinstance(customer, Customer)
    assert (customer.id, customer.email, customer.email_confirmed, customer.is_active, customer.first_name) == (
        customer_id, "ada@example.com", True, True, "Ada",
    )
    assert contract.customer_get(customer_id=customer_id) == customer


def test_customers_refuse_unknown_and_revoked_tokens(customers):
    contract, shop = customers
    customer_id, token = shop.customer_add("ada@example.com")
    with pytest.raises(CustomerTokenInvalid) as refused:
        contract.customer_authenticate(access_token="not-a-token")
    assert refused.value.code == "token_invalid"
    shop.revoke(customer_id)
    with pytest.raises(CustomerTokenInvalid):
        contract.customer_authenticate(access_token=token)
    with pytest.raises(CustomerNotFound):
        contract.customer_get(customer_id=customer_id + 1000)


def test_customers_address_by_reference_is_the_owners_only(customers):
    contract, shop = customers
    ada, _ = shop.customer_add("ada@example.com")
    eve, _ = shop.customer_add("eve@example.com")
    address_id = shop.address_add(ada)
    entry = contract.address_get(customer_id=ada, address_id=address_id)
    assert isinstance(entry, CustomerAddress)
    assert (entry.customer_id, entry.address, entry.is_default_shipping, entry.is_default_billing) == (ada, BERLIN, True, True)
    with pytest.raises(CustomerAddressNotFound):
        contract.address_get(customer_id=eve, address_id=address_id)
    with pytest.raises(CustomerAddressNotFound):
        contract.address_get(customer_id=ada, address_id=address_id + 1000)
