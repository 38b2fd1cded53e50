"""``personal_data_export`` behaves the same in each module that offers it, over HTTP, and in its fake."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.personal_data import PersonalData
from tests.contracts.test_conformance import contract  # noqa: F401  the shop's fixture: local, HTTP, fake
from tests.fakes.checkout import FakeCheckout

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Analytical St", "city": "London", "postal_code": "N1 1AA", "country": "GB"}


def _orders_of(checkout, customer_id: int, numbers: list[str]) -> None:
    """Give the customer orders (oldest first), in the module or in the fake."""
    if isinstance(checkout, FakeCheckout):
        checkout.customer_orders[customer_id] = [
            {"number": n, "email": "ada@example.com", "total": "9.50", "shipping_address": ADDRESS} for n in reversed(numbers)
        ]
        return
    from modules.checkout.models import Order

    for number in numbers:
        Order.objects.create(
            number=number, access_token_hash="0" * 64, email="ada@example.com", currency="EUR", subtotal=Decimal("9.50"),
            discount_total=Decimal(0), total=Decimal("9.50"), shipping_address=ADDRESS, customer_id=customer_id, cart_token=number,
        )


def test_checkout_exports_a_customers_orders_newest_first(contract):  # noqa: F811
    checkout = contract("checkout")
    _orders_of(checkout, 7, ["CO-OLD", "CO-NEW"])
    exported = checkout.personal_data_export(customer_id=7, email="ada@example.com")
    assert isinstance(exported, PersonalData) and exported.module == "checkout"
    assert [(r["number"], r["email"], r["total"], r["shipping_address"]) for r in exported.records] == [
        ("CO-NEW", "ada@example.com", "9.50", ADDRESS), ("CO-OLD", "ada@example.com", "9.50", ADDRESS),
    ]
    assert checkout.personal_data_export(customer_id=8, email="ada@example.com") == PersonalData(module="checkout", records=())


@pytest.mark.parametrize("customer_id", [0, -1])
def test_checkout_exports_nothing_for_no_customer(contract, customer_id):  # noqa: F811
    assert contract("checkout").personal_data_export(customer_id=customer_id, email="ada@example.com").records == ()


def test_pricing_exports_the_voucher_uses_counted_against_the_email(contract):  # noqa: F811
    pricing = contract("pricing")
    args = {"currency": "EUR", "subtotal": Decimal("40.00")}
    pricing.voucher_redeem(code="HALF", reference="CO-1", email="ada@example.com", **args)
    pricing.voucher_redeem(code="FIVE", reference="CO-2", email="ada@example.com", **args)
    pricing.voucher_redeem(code="ONCE10", reference="CO-3", email="eve@example.com", **args)
    pricing.voucher_release(reference="CO-1")
    exported = pricing.personal_data_export(customer_id=7, email="Ada@Example.com")
    assert isinstance(exported, PersonalData) and exported.module == "pricing"
    assert [dict(r) for r in exported.records] == [
        {"voucher_code": "FIVE", "order_number": "CO-2", "used": True},
        {"voucher_code": "HALF", "order_number": "CO-1", "used": False},
    ]
    assert pricing.personal_data_export(customer_id=8, email="nobody@example.com").records == ()


PERSONAL_FIELD_NAMES = {"email", "phone", "first_name", "last_name", "shipping_address", "billing_address", "customer_id"}


def test_every_module_that_keeps_personal_data_offers_its_export():
    """A column that names or reaches a person (an email, an address, a customer id) obliges its module to export it."""
    from django.apps import apps

    from contracts.container import MODULES, contract_protocols
    from modules.customers.selectors import personal_data_modules

    holders = {
        module
        for module in MODULES
        if module != "customers" and apps.is_installed(f"modules.{module}")
        for model in apps.get_app_config(module).get_models()
        for field in model._meta.concrete_fields
        if field.name in PERSONAL_FIELD_NAMES
    }
    assert {"checkout", "pricing"} <= holders  # what is known to hold some today
    assert holders <= set(personal_data_modules())
    assert all(hasattr(contract_protocols()[module], "personal_data_export") for module in holders)
