from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from contracts.container import services_override
from modules.checkout.tests.fakes import FakeCatalog, FakeInventory, FakePricing

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Analytical St", "city": "London", "postal_code": "N1 1AA", "country": "GB"}


def complete_body(token: str | None = None, email: str = "ada@example.com") -> dict:
    payment = {"method": "test"} if token is None else {"method": "test", "token": token}
    return {"email": email, "shipping_address": ADDRESS, "payment": payment}


@pytest.fixture
def shop(db):
    catalog = FakeCatalog({"TEE-M": "Tee", "MUG": "Mug", "OLD": "Old thing"}, unsellable=["OLD"])
    pricing = FakePricing(
        prices={"TEE-M": Decimal("19.90"), "MUG": Decimal("8.50"), "OLD": Decimal("1.00")},
        voucher_percent={"SAVE10": 10, "ONCE": 50},
        voucher_limit={"ONCE": 1},
    )
    inventory = FakeInventory(on_hand={"TEE-M": 5, "MUG": 1, "OLD": 3})
    with services_override(catalog=catalog, pricing=pricing, inventory=inventory):
        yield SimpleNamespace(catalog=catalog, pricing=pricing, inventory=inventory)


@pytest.fixture
def cart(api_client, shop):
    """A cart with 2 tees and a mug, in EUR; returns its token."""
    token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
    api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": "TEE-M", "quantity": 2}, format="json")
    api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": "MUG", "quantity": 1}, format="json")
    return token


@pytest.fixture
def complete(api_client, django_capture_on_commit_callbacks):
    def run(token: str, key: str = "key-1", body: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(
                f"/api/v1/checkout/carts/{token}/complete/",
                body if body is not None else complete_body(),
                format="json",
                HTTP_IDEMPOTENCY_KEY=key,
            )

    return run


@pytest.fixture
def published():
    """Events checkout published and the bus delivered, seen through a probe subscriber."""
    from contracts.checkout import OrderCancelled, OrderPlaced
    from contracts.events import subscribe, unsubscribe

    seen: list = []
    names = {OrderPlaced: "checkouttest.placed", OrderCancelled: "checkouttest.cancelled"}
    for event_type, name in names.items():
        subscribe(event_type, name=name, handler=seen.append)
    yield seen
    for name in names.values():
        unsubscribe(name=name)
