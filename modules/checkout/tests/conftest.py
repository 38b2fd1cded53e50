"""Checkout's test shop: the other modules as their verified fakes (tests/fakes), carts made through services."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from contracts.container import services_override
from contracts.errors import ContractError
from kernel.problems import contract_error_document, contract_error_status
from modules.checkout.services.carts import cart_create, cart_line_add
from modules.checkout.services.completion import checkout_complete
from modules.checkout.services.placement import CompleteRequest
from tests.fakes.catalog import FakeCatalog
from tests.fakes.inventory import FakeInventory
from tests.fakes.payments import FakePayments
from tests.fakes.pricing import FakePricing

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Analytical St", "city": "London", "postal_code": "N1 1AA", "country": "GB"}


def complete_body(token: str | None = None, email: str = "ada@example.com", session: str | None = None) -> dict:
    """A completion paying into ``session``, or (the former shape) at once with the test card or ``token``."""
    if session is not None:
        payment = {"session": session}
    else:
        payment = {"method": "test"} if token is None else {"method": "test", "token": token}
    return {"email": email, "shipping_address": ADDRESS, "payment": payment}


class HookedPayments(FakePayments):
    """The verified payments fake, running ``during_attach`` / ``during_capture`` while that call is 'in flight'."""

    def __init__(self) -> None:
        super().__init__()
        self.during_attach = None
        self.during_capture = None

    def session_attach(self, **kwargs):
        hook, self.during_attach = self.during_attach, None
        if hook:
            hook()
        return super().session_attach(**kwargs)

    def payment_capture(self, **kwargs):
        hook, self.during_capture = self.during_capture, None
        if hook:
            hook()
        return super().payment_capture(**kwargs)

    def of(self, number: str):
        """The session that paid for order ``number`` (None if none is attached)."""
        return self._attached(number)


@pytest.fixture
def shop(db):
    """Tee 19.90 (5 on hand), Mug 8.50 (1), Old 1.00 (3, unpublished); vouchers SAVE10 (10 %) and ONCE (50 %, one use)."""
    catalog, pricing, inventory, payments = FakeCatalog(), FakePricing(), FakeInventory(), HookedPayments()
    for sku, name, amount, on_hand in (("TEE-M", "Tee", "19.90", 5), ("MUG", "Mug", "8.50", 1), ("OLD", "Old thing", "1.00", 3)):
        catalog.variant_add(sku, product_name=name, published=sku != "OLD")
        pricing.price_set(sku, amount)
        inventory.stock_set(sku, on_hand)
    pricing.voucher_add("SAVE10", value=10)
    pricing.voucher_add("ONCE", value=50, usage_limit=1)
    with services_override(catalog=catalog, pricing=pricing, inventory=inventory, payments=payments):
        yield SimpleNamespace(catalog=catalog, pricing=pricing, inventory=inventory, payments=payments)


@pytest.fixture
def cart(shop):
    """A cart with 2 tees and a mug, in EUR; returns its token."""
    token = cart_create(currency="EUR").token
    cart_line_add(token=token, sku="TEE-M", quantity=2)
    cart_line_add(token=token, sku="MUG", quantity=1)
    return token


@pytest.fixture
def complete(api_client, django_capture_on_commit_callbacks):
    """POST the cart's completion (the HTTP API), running what waits for the commit."""

    def run(token: str, key: str = "key-1", body: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(
                f"/api/v1/checkout/carts/{token}/complete/",
                body if body is not None else complete_body(),
                format="json",
                HTTP_IDEMPOTENCY_KEY=key,
            )

    return run


@dataclass(frozen=True, slots=True)
class Answer:
    """What ``checkout_complete`` answered: its result, or the contract error it raised as status and problem."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


@pytest.fixture
def place(django_capture_on_commit_callbacks):
    """Complete the cart through the service (the view's one call), running what waits for the commit."""

    def run(token: str, key: str = "key-1", body: dict | None = None, customer_id: int | None = None) -> Answer:
        body = body if body is not None else complete_body()
        request = CompleteRequest(
            email=body["email"],
            shipping_address=body["shipping_address"],
            payment_session=body["payment"].get("session"),
            payment_method=None if "session" in body["payment"] else body["payment"].get("token") or "pm_card_visa",
            fingerprint=hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest(),
        )
        with django_capture_on_commit_callbacks(execute=True):
            try:
                result = checkout_complete(cart_token=token, key=key, request=request, customer_id=customer_id)
            except ContractError as error:
                return Answer(status=contract_error_status(error), body=contract_error_document(error))
        return Answer(status=result.status, body=result.body, replayed=result.replayed)

    return run
