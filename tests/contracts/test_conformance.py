"""Contract conformance: the local facade and the HTTP client of each contract behave the same.

Every test runs twice: once against the module's facade in this process,
once through ``ContractClient`` over real HTTP to a live server that serves
the same facade. A module can only be lifted out if both pass.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.catalog import VariantInfo
from contracts.checkout import OrderNotFound
from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import InvalidInput, NotFound, ServiceUnavailable
from contracts.inventory import Availability, OutOfStock, Reservation, Shortage
from contracts.pricing import Price, PriceNotFound, Quote, UnknownCurrency, VoucherInvalid
from tests.e2e.conftest import load_shop

TOKEN = "conformance-test-token"


@pytest.fixture(params=["local", "http"])
def contract(request, transactional_db, tmp_path, settings):
    """Return a function giving the implementation of a module's contract under test."""
    load_shop(tmp_path)
    if request.param == "local":
        return lambda module: getattr(services(), module)
    live_server = request.getfixturevalue("live_server")
    settings.CONTRACTS_TOKEN = TOKEN
    return lambda module: ContractClient(
        module=module, protocol=CONTRACT_PROTOCOLS[module], base_url=live_server.url, token=TOKEN, timeout=10
    )


# --- catalog -------------------------------------------------------------------


def test_catalog_variants_get_returns_known_skus_only(contract):
    variants = contract("catalog").variants_get(skus=["TEE-M", "NOPE", "DRAFT-1"])
    assert set(variants) == {"TEE-M", "DRAFT-1"}
    tee = variants["TEE-M"]
    assert isinstance(tee, VariantInfo)
    assert (tee.product_name, tee.variant_name, tee.category_path, tee.sellable) == ("Logo Tee", "Medium", "apparel/shirts", True)
    assert variants["DRAFT-1"].published is False


def test_catalog_category_skus_include_subcategories(contract):
    assert contract("catalog").category_skus_get(slug="apparel") == frozenset({"TEE-S", "TEE-M"})
    assert contract("catalog").category_skus_get(slug="no-such-category") == frozenset()


# --- pricing -------------------------------------------------------------------


def test_pricing_prices_get(contract):
    prices = contract("pricing").prices_get(skus=["TEE-M", "NOPE"], currency="EUR")
    assert prices == {"TEE-M": Price(sku="TEE-M", currency="EUR", amount=Decimal("20.00"), compare_at=Decimal("25.00"))}
    with pytest.raises(UnknownCurrency):
        contract("pricing").prices_get(skus=["TEE-M"], currency="GBP")


def test_pricing_quote_and_its_errors(contract):
    pricing = contract("pricing")
    quote = pricing.quote_create(
        currency="EUR", lines=[SkuQuantity(sku="TEE-M", quantity=2), SkuQuantity(sku="MUG-1", quantity=1)], voucher_code="once10"
    )
    assert isinstance(quote, Quote)
    assert (quote.subtotal, quote.discount_total, quote.total) == (Decimal("49.50"), Decimal("4.95"), Decimal("44.55"))
    assert sum(line.total for line in quote.lines) == quote.total
    with pytest.raises(PriceNotFound) as missing:
        pricing.quote_create(currency="EUR", lines=[SkuQuantity(sku="NOPE", quantity=1)])
    assert tuple(missing.value.skus) == ("NOPE",) and missing.value.code == "price_not_found"
    with pytest.raises(VoucherInvalid) as invalid:
        pricing.quote_create(currency="EUR", lines=[SkuQuantity(sku="MUG-1", quantity=1)], voucher_code="NOPE")
    assert invalid.value.reason == "unknown" and invalid.value.code == "voucher_unknown"
    with pytest.raises(InvalidInput):
        pricing.quote_create(currency="EUR", lines=[SkuQuantity(sku="MUG-1", quantity=0)])


def test_pricing_voucher_redeem_and_release(contract):
    pricing = contract("pricing")
    args = {"code": "ONCE10", "email": "a@example.com", "currency": "EUR", "subtotal": Decimal("20.00")}
    first = pricing.voucher_redeem(reference="CO-1", **args)
    assert pricing.voucher_redeem(reference="CO-1", **args) == first  # idempotent per reference
    with pytest.raises(VoucherInvalid) as exhausted:
        pricing.voucher_redeem(reference="CO-2", **args)
    assert exhausted.value.reason == "exhausted"
    assert pricing.voucher_release(reference="CO-1") is None
    pricing.voucher_release(reference="CO-1")
    assert pricing.voucher_redeem(reference="CO-2", **args).reference == "CO-2"


# --- inventory -----------------------------------------------------------------


def test_inventory_availability(contract):
    availability = contract("inventory").availability_get(skus=["TEE-M", "TEE-S", "NOPE"])
    assert availability == {
        "TEE-M": Availability(sku="TEE-M", available=10),
        "TEE-S": Availability(sku="TEE-S", available=0),
        "NOPE": Availability(sku="NOPE", available=0),
    }


def test_inventory_reservation_lifecycle(contract):
    inventory = contract("inventory")
    lines = [SkuQuantity(sku="TEE-M", quantity=3), SkuQuantity(sku="MUG-1", quantity=1)]
    with pytest.raises(OutOfStock) as short:
        inventory.reservation_create(reference="R-0", lines=[SkuQuantity(sku="MUG-1", quantity=4), *lines[:1]])
    assert short.value.shortages == (Shortage(sku="MUG-1", requested=4, available=3),)
    held = inventory.reservation_create(reference="R-1", lines=lines)
    assert isinstance(held, Reservation) and held.state == "active"
    assert inventory.reservation_create(reference="R-1", lines=lines).reference == "R-1"
    assert inventory.availability_get(skus=["TEE-M"])["TEE-M"].available == 7
    committed = inventory.reservation_commit(reference="R-1", order_number="CO-1")
    assert committed.state == "committed"
    assert inventory.reservation_commit(reference="R-1", order_number="CO-1").state == "committed"
    inventory.order_stock_return(order_number="CO-1")
    inventory.order_stock_return(order_number="CO-1")
    assert inventory.availability_get(skus=["TEE-M"])["TEE-M"].available == 10
    with pytest.raises(NotFound):
        inventory.reservation_commit(reference="never-made", order_number="CO-9")


def test_inventory_release_is_idempotent(contract):
    inventory = contract("inventory")
    inventory.reservation_create(reference="R-2", lines=[SkuQuantity(sku="MUG-1", quantity=2)])
    assert inventory.reservation_release(reference="R-2") is None
    inventory.reservation_release(reference="R-2")
    inventory.reservation_release(reference="never-made")
    assert inventory.availability_get(skus=["MUG-1"])["MUG-1"].available == 3


# --- checkout ------------------------------------------------------------------


def test_checkout_order_get_unknown(contract):
    with pytest.raises(OrderNotFound):
        contract("checkout").order_get(number="CO-NOPE")


# --- the transport itself ------------------------------------------------------


def test_unreachable_module_is_service_unavailable():
    client = ContractClient(
        module="inventory", protocol=CONTRACT_PROTOCOLS["inventory"], base_url="http://127.0.0.1:1", token=TOKEN, timeout=2
    )
    with pytest.raises(ServiceUnavailable):
        client.availability_get(skus=["TEE-M"])


def test_endpoint_is_hidden_without_the_token(client, settings, db):
    settings.CONTRACTS_TOKEN = TOKEN
    url = "/internal/contracts/inventory/availability_get"
    body = {"kwargs": {"skus": ["TEE-M"]}}
    assert client.post(url, body, content_type="application/json").status_code == 404
    wrong = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer wrong")
    assert wrong.status_code == 404
    ok = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and ok.json() == {"result": {"TEE-M": {"sku": "TEE-M", "available": 0}}}
    unknown = client.post("/internal/contracts/inventory/_stock_lock", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert unknown.status_code == 404
    settings.CONTRACTS_TOKEN = ""
    assert client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer ").status_code == 404
