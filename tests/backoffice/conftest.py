"""Back-office fixtures: orders as checkout stores them, staff users."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from modules.checkout.models import Order, OrderLine


@pytest.fixture
def make_order(db):
    """Write an order with lines the way checkout freezes them (amounts with three stored decimals)."""
    counter = iter(range(1, 10_000))

    def make(*, currency: str = "EUR", total: str = "9.99", status: str = "paid", email: str = "ada@example.com",
             lines: list[tuple[str, str, int, str]] | None = None, number: str | None = None) -> Order:
        n = next(counter)
        order = Order.objects.create(
            number=number or f"CO-TEST{n:05d}", access_token_hash="x" * 64, email=email, currency=currency,
            subtotal=Decimal(total), discount_total=Decimal(0), total=Decimal(total), shipping_address={"name": "Ada"},
            cart_token=f"t{n}", status=status,
        )
        for sku, name, quantity, unit in lines or [("SKU-1", "Tee", 1, total)]:
            OrderLine.objects.create(
                order=order, sku=sku, name=name, quantity=quantity, unit_price=Decimal(unit), discount=Decimal(0),
                total=Decimal(unit) * quantity,
            )
        return order

    return make


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "a-long-passphrase-1")


@pytest.fixture
def roles(db):
    """The staff groups, as ``manage.py setup_roles`` makes them."""
    from commerce.roles import roles_apply

    return roles_apply()


@pytest.fixture
def staff_in(roles):
    """Return a signed-in-able staff user in the group of a role (by the role's name)."""
    from django.contrib.auth.models import Group

    def make(role: str, username: str | None = None):
        user = get_user_model().objects.create_user(
            username or role.replace(" ", "-"), password="a-long-passphrase-1", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def fake_catalog():
    """A catalog that knows every SKU (the verified fake), so stock can be imported without catalog rows."""
    from contracts.container import services_override
    from tests.fakes.catalog import FakeCatalog

    fake = FakeCatalog(knows_every_sku=True)
    with services_override(catalog=fake):
        yield fake


@pytest.fixture
def warehouses(db):
    from modules.inventory.models import Warehouse

    return {
        "MAIN": Warehouse.objects.create(code="MAIN", name="Main", priority=1),
        "EAST": Warehouse.objects.create(code="EAST", name="East", priority=2),
    }


@pytest.fixture
def receive(warehouses, fake_catalog):
    """Receive stock through inventory's service (on-hand always with its ledger row)."""
    from modules.inventory.services.movements import stock_move

    def run(sku: str, quantity: int, warehouse: str = "MAIN") -> None:
        stock_move(sku=sku, warehouse_code=warehouse, kind="receipt", quantity=quantity, reason="test")

    return run
