"""Contract conformance: the local facade, the HTTP client and the fake of each contract behave the same.

Every test runs three times: against the module's facade in this process,
through ``ContractClient`` over real HTTP to a live server that serves the
same facade, and against the in-memory fake of ``tests/fakes`` that other
modules' tests stand on. A module can only be lifted out if the first two
pass; a test written against a fake only means something if the third does.
All three start from the same shop (``tests.e2e.conftest``).
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.addresses import Address
from contracts.catalog import ProductUnpublished, VariantInfo
from contracts.checkout import CartNotFound, CartTotal, OrderCancelled, OrderLine, OrderNotFound, OrderPlaced
from contracts.common import SkuQuantity
from contracts.container import services
from contracts.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from contracts.events import subscriptions_for
from contracts.inventory import Availability, OutOfStock, Reservation, ReservationConflict, Shortage
from contracts.payments import (
    PaymentActionRequired,
    PaymentAmountMismatch,
    PaymentDeclined,
    PaymentNotAuthorized,
    PaymentProviderUnavailable,
    PaymentSession,
    PaymentSessionNotFound,
    PaymentSessionUsed,
)
from contracts.pricing import Price, PriceNotFound, Quote, UnknownCurrency, VoucherInvalid
from contracts.shipping import ShippableLine, ShippingMethodOption, ShippingMethodUnavailable, ShippingWeightMissing
from contracts.taxes import TaxableLine, TaxBreakdown, TaxRateMissing
from tests.e2e.conftest import CATALOG_CSV, PRICES_CSV, STOCK_CSV, load_shop
from tests.fakes.catalog import FakeCatalog
from tests.fakes.checkout import FakeCheckout
from tests.fakes.inventory import FakeInventory
from tests.fakes.payments import FakePayments
from tests.fakes.pricing import FakePricing
from tests.fakes.recommendations import FakeRecommendations
from tests.fakes.shipping import FakeShipping
from tests.fakes.taxes import FakeTaxes

TOKEN = "conformance-test-token-of-32-characters-at-least"

# Vouchers beyond the shop's ONCE10, for the voucher rules; loaded into the module and into the fake alike.
VOUCHERS = (
    {"code": "FIVE", "kind": "fixed", "value": "5.00", "currency": "EUR", "min_subtotal": "20.00"},
    {"code": "HALF", "kind": "percentage", "value": "50", "per_customer_limit": 1},
    {"code": "PAUSED", "kind": "percentage", "value": "10", "active": False},
)


def _rows(text: str) -> list[dict[str, str]]:
    header, *lines = text.strip().splitlines()
    return [dict(zip(header.split(","), line.split(","), strict=True)) for line in lines]


def fakes_of_the_shop() -> dict[str, object]:
    """Return one fake per contract, holding the shop that ``load_shop`` loads into the modules."""
    catalog, pricing, inventory = FakeCatalog(), FakePricing(), FakeInventory()
    for row in _rows(CATALOG_CSV):
        catalog.variant_add(
            row["sku"],
            product_name=row["product_name"],
            variant_name=row["variant_name"],
            product_slug=row["product_slug"],
            category_path=row["category"],
            published=row["status"] == "published",
        )
    for row in _rows(PRICES_CSV):
        pricing.price_set(row["sku"], row["amount"], currency=row["currency"], compare_at=row["compare_at"] or None)
    for row in _rows(STOCK_CSV):
        inventory.stock_set(row["sku"], inventory.on_hand.get(row["sku"], 0) + int(row["on_hand"]))
    pricing.voucher_add("ONCE10", kind="percentage", value=10, usage_limit=1)  # as load_shop creates it
    for voucher in VOUCHERS:
        pricing.voucher_add(**voucher)
    fakes = {"catalog": catalog, "pricing": pricing, "inventory": inventory, "checkout": FakeCheckout(), "payments": FakePayments()}
    fakes["recommendations"] = FakeRecommendations(catalog=catalog)
    fakes["shipping"], fakes["taxes"] = FakeShipping(), FakeTaxes()
    return fakes


def vouchers_load() -> None:
    from modules.pricing.models import Voucher

    for voucher in VOUCHERS:
        amounts = {key: Decimal(voucher[key]) for key in ("value", "min_subtotal") if key in voucher}
        Voucher.objects.create(**{**voucher, **amounts})


# The modules need their databases; the fakes need none, so they skip the flush after each test.
WITH_DATABASE = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[pytest.param("local", marks=WITH_DATABASE), pytest.param("http", marks=WITH_DATABASE), "fake"])
def contract(request, tmp_path, settings):
    """Return a function giving the implementation of a module's contract under test."""
    if request.param == "fake":
        fakes = fakes_of_the_shop()
        return lambda module: fakes[module]
    load_shop(tmp_path)
    vouchers_load()
    if request.param == "local":
        return lambda module: getattr(services(), module)
    live_server = request.getfixturevalue("live_server")
    settings.CONTRACTS_SERVE_TOKENS = {"+".join(settings.MODULES): TOKEN}
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
    assert (tee.weight_grams, tee.tax_class) == (None, "standard")  # the shop's file gives none: unknown, not 0


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


# --- pricing: what checkout relies on ------------------------------------------


def line(sku: str, quantity: int) -> SkuQuantity:
    return SkuQuantity(sku=sku, quantity=quantity)


def test_pricing_checks_the_currency(contract):
    pricing = contract("pricing")
    for currency in ("GBP", "eur", "EURO"):
        with pytest.raises(UnknownCurrency):
            pricing.quote_create(currency=currency, lines=[line("TEE-M", 1)])
        with pytest.raises(UnknownCurrency):
            pricing.prices_get(skus=["TEE-M"], currency=currency)
    with pytest.raises(UnknownCurrency):
        pricing.voucher_redeem(code="HALF", reference="CO-1", email="a@example.com", currency="GBP", subtotal=Decimal("20.00"))
    usd = pricing.quote_create(currency="USD", lines=[line("TEE-M", 1)])
    assert (usd.currency, usd.total, usd.lines[0].unit_price) == ("USD", Decimal("22.00"), Decimal("22.00"))
    with pytest.raises(PriceNotFound) as missing:
        pricing.quote_create(currency="USD", lines=[line("TEE-M", 1), line("MUG-1", 1)])
    assert tuple(missing.value.skus) == ("MUG-1",) and missing.value.currency == "USD"


def test_pricing_quote_merges_lines_and_names_every_sku_without_a_price(contract):
    pricing = contract("pricing")
    quote = pricing.quote_create(currency="EUR", lines=[line("TEE-M", 1), line("MUG-1", 1), line("TEE-M", 2)])
    assert [(q.sku, q.quantity, q.total) for q in quote.lines] == [("TEE-M", 3, Decimal("60.00")), ("MUG-1", 1, Decimal("9.50"))]
    with pytest.raises(PriceNotFound) as missing:
        pricing.quote_create(currency="EUR", lines=[line("NOPE", 1), line("TEE-M", 1), line("ALSO-NOPE", 1)])
    assert tuple(missing.value.skus) == ("ALSO-NOPE", "NOPE")
    # ``True`` and ``1.5`` are refused over HTTP too: the codec sends JSON scalars as they are (contracts/codec.py).
    bad_lines = (
        [line("TEE-M", 100)], [line("TEE-M", 60), line("TEE-M", 40)], [line("TEE-M", 0)], [line("", 1)],
        [line("not a sku", 1)], [line("TEE-M", True)], [line("TEE-M", 1.5)],
    )
    for bad in bad_lines:
        with pytest.raises(InvalidInput):
            pricing.quote_create(currency="EUR", lines=bad)


def test_pricing_voucher_rules(contract):
    pricing = contract("pricing")
    quote = pricing.quote_create(currency="EUR", lines=[line("TEE-M", 1), line("MUG-1", 1)], voucher_code=" five ")
    # A fixed amount is split in proportion to what each line costs, the cents by largest remainder.
    assert [(q.sku, q.discount, q.total) for q in quote.lines] == [
        ("TEE-M", Decimal("3.39"), Decimal("16.61")),
        ("MUG-1", Decimal("1.61"), Decimal("7.89")),
    ]
    assert (quote.voucher_code, quote.discount_total, quote.total) == ("FIVE", Decimal("5.00"), Decimal("24.50"))
    for currency, lines, code, reason in (
        ("USD", [line("TEE-M", 1)], "FIVE", "currency_mismatch"),
        ("EUR", [line("MUG-1", 1)], "FIVE", "minimum_not_met"),
        ("EUR", [line("MUG-1", 1)], "PAUSED", "inactive"),
        ("EUR", [line("MUG-1", 1)], "X" * 65, "unknown"),
    ):
        with pytest.raises(VoucherInvalid) as invalid:
            pricing.quote_create(currency=currency, lines=lines, voucher_code=code)
        assert invalid.value.reason == reason and invalid.value.code == f"voucher_{reason}"
    assert pricing.quote_create(currency="EUR", lines=[line("MUG-1", 1)], voucher_code="  ").voucher_code is None


def test_pricing_voucher_uses_per_customer_and_per_reference(contract):
    pricing = contract("pricing")
    half = {"code": "half", "currency": "EUR", "subtotal": Decimal("20.00")}
    assert pricing.voucher_redeem(reference="CO-1", email=" Ada@Example.com", **half).code == "HALF"
    with pytest.raises(VoucherInvalid) as again:
        pricing.quote_create(currency="EUR", lines=[line("MUG-1", 1)], voucher_code="HALF", email="ada@example.com")
    assert again.value.reason == "exhausted"
    with pytest.raises(VoucherInvalid):
        pricing.voucher_redeem(reference="CO-2", email="ada@example.com", **half)
    assert pricing.voucher_redeem(reference="CO-2", email="bob@example.com", **half).reference == "CO-2"
    # A reference holds one use: another voucher for it is a conflict until the use is given back.
    once = {"code": "ONCE10", "email": "ada@example.com", "currency": "EUR", "subtotal": Decimal("20.00")}
    with pytest.raises(Conflict) as conflict:
        pricing.voucher_redeem(reference="CO-1", **once)
    assert conflict.value.code == "voucher_reference_conflict"
    pricing.voucher_release(reference="CO-1")
    assert pricing.voucher_redeem(reference="CO-1", **once).code == "ONCE10"
    quote = pricing.quote_create(currency="EUR", lines=[line("MUG-1", 1)], voucher_code="HALF", email="ada@example.com")
    assert quote.discount_total == Decimal("4.75")  # Ada's use of HALF was given back


# --- inventory: what checkout relies on ----------------------------------------


def available(inventory, sku: str) -> int:
    return inventory.availability_get(skus=[sku])[sku].available


def test_inventory_holds_all_lines_or_none(contract):
    inventory = contract("inventory")
    with pytest.raises(OutOfStock) as short:
        inventory.reservation_create(reference="R-1", lines=[line("TEE-M", 2), line("NOPE", 1), line("MUG-1", 5)])
    assert short.value.shortages == (
        Shortage(sku="MUG-1", requested=5, available=3),
        Shortage(sku="NOPE", requested=1, available=0),
    )
    assert available(inventory, "TEE-M") == 10
    with pytest.raises(NotFound):
        inventory.reservation_commit(reference="R-1", order_number="CO-1")
    held = inventory.reservation_create(reference="R-1", lines=[line("TEE-M", 1), line("MUG-1", 1), line("TEE-M", 1)])
    assert held.lines == (SkuQuantity(sku="MUG-1", quantity=1), SkuQuantity(sku="TEE-M", quantity=2))


def test_inventory_same_reference_with_other_lines_is_a_conflict(contract):
    inventory = contract("inventory")
    first = inventory.reservation_create(reference="R-1", lines=[line("TEE-M", 2)])
    assert inventory.reservation_create(reference="R-1", lines=[line("TEE-M", 2)]) == first
    with pytest.raises(ReservationConflict) as mismatch:
        inventory.reservation_create(reference="R-1", lines=[line("TEE-M", 3)])
    assert mismatch.value.code == "reservation_mismatch"
    assert available(inventory, "TEE-M") == 8
    inventory.reservation_release(reference="R-1")
    again = inventory.reservation_create(reference="R-1", lines=[line("TEE-M", 3)])  # released: a fresh hold
    assert again.state == "active" and again.lines == (SkuQuantity(sku="TEE-M", quantity=3),)
    assert available(inventory, "TEE-M") == 7


def test_inventory_refuses_to_commit_released_holds_or_to_hold_committed_ones(contract):
    inventory = contract("inventory")
    inventory.reservation_create(reference="R-1", lines=[line("MUG-1", 1)])
    inventory.reservation_release(reference="R-1")
    with pytest.raises(ReservationConflict) as released:
        inventory.reservation_commit(reference="R-1", order_number="CO-1")
    assert released.value.code == "reservation_released" and available(inventory, "MUG-1") == 3
    inventory.reservation_create(reference="R-2", lines=[line("MUG-1", 1)])
    inventory.reservation_commit(reference="R-2", order_number="CO-2")
    with pytest.raises(ReservationConflict) as elsewhere:
        inventory.reservation_commit(reference="R-2", order_number="CO-3")
    assert elsewhere.value.code == "reservation_committed"
    with pytest.raises(ReservationConflict) as committed:
        inventory.reservation_create(reference="R-2", lines=[line("MUG-1", 1)])
    assert committed.value.code == "reservation_committed"
    inventory.reservation_release(reference="R-2")  # a no-op: sold is sold
    assert available(inventory, "MUG-1") == 2


def test_inventory_a_cancelled_order_releases_its_uncommitted_hold(contract):
    inventory = contract("inventory")
    inventory.reservation_create(reference="CO-1", lines=[line("MUG-1", 2)])
    inventory.order_stock_return(order_number="CO-1")
    assert available(inventory, "MUG-1") == 3
    with pytest.raises(ReservationConflict):
        inventory.reservation_commit(reference="CO-1", order_number="CO-1")


def test_inventory_refuses_bad_input(contract):
    inventory = contract("inventory")
    for kwargs in (
        {"reference": "R-1", "lines": []},
        {"reference": "R-1", "lines": [line("MUG-1", 0)]},
        {"reference": "R-1", "lines": [line("MUG-1", 1_000_001)]},
        {"reference": "", "lines": [line("MUG-1", 1)]},
        {"reference": "R-1", "lines": [line("MUG-1", 1)], "ttl_seconds": 0},
    ):
        with pytest.raises(InvalidInput):
            inventory.reservation_create(**kwargs)
    assert available(inventory, "MUG-1") == 3


def test_inventory_an_expired_hold_counts_for_nothing_and_commits_only_while_its_stock_is_free(contract):
    inventory = contract("inventory")
    inventory.reservation_create(reference="R-1", lines=[line("MUG-1", 2)], ttl_seconds=1)
    inventory.reservation_create(reference="R-2", lines=[line("TEE-M", 1)], ttl_seconds=1)
    inventory.reservation_create(reference="R-3", lines=[line("MUG-1", 1)])
    time.sleep(1.05)
    assert available(inventory, "MUG-1") == 2
    inventory.reservation_create(reference="R-4", lines=[line("MUG-1", 2)])
    with pytest.raises(OutOfStock) as gone:
        inventory.reservation_commit(reference="R-1", order_number="CO-1")
    assert gone.value.shortages == (Shortage(sku="MUG-1", requested=2, available=0),)
    assert inventory.reservation_commit(reference="R-2", order_number="CO-2").state == "committed"
    assert available(inventory, "TEE-M") == 9


# --- checkout ------------------------------------------------------------------


def test_checkout_order_get_unknown(contract):
    with pytest.raises(OrderNotFound):
        contract("checkout").order_get(number="CO-NOPE")


def test_checkout_cart_total_is_what_completing_would_charge(contract):
    checkout = contract("checkout")
    if isinstance(checkout, FakeCheckout):
        token = checkout.cart_add(CartTotal(token="cart-t", currency="EUR", total=Decimal("49.50"))).token
    else:
        from modules.checkout.services.carts import cart_create, cart_line_add

        token = cart_create(currency="EUR").token
        cart_line_add(token=token, sku="TEE-M", quantity=2)
        cart_line_add(token=token, sku="MUG-1", quantity=1)
    assert checkout.cart_total_get(token=token) == CartTotal(token=token, currency="EUR", total=Decimal("49.50"))
    with pytest.raises(CartNotFound):
        checkout.cart_total_get(token="no-such-cart")


# --- payments ------------------------------------------------------------------

TOTAL = Decimal("48.30")


def _authenticate(payments, session: PaymentSession, *, succeed: bool = True) -> None:
    """What the customer does at their bank (3-D Secure), on the fake or at the test provider."""
    if isinstance(payments, FakePayments):
        payments.authenticate(session.id, succeed=succeed)
    else:
        from modules.payments.providers.test import TestProvider

        intent_id = str(session.next_action["redirect_to_url"]["url"]).rstrip("/").split("/")[-2]
        TestProvider().intent_authenticate(intent_id=intent_id, succeed=succeed)


def _attach(payments, session_id: str, number: str = "CO-1", amount: Decimal = TOTAL, reference: str = "cart-1"):
    return payments.session_attach(session_id=session_id, reference=reference, order_number=number, amount=amount, currency="EUR")


def test_payments_session_attach_capture_release(contract):
    payments = contract("payments")
    session = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="pm_card_visa")
    assert isinstance(session, PaymentSession)
    assert (session.status, session.amount, session.currency, session.order_number) == ("authorized", TOTAL, "EUR", None)
    assert payments.session_get(session_id=session.id) == session
    with pytest.raises(PaymentAmountMismatch):
        _attach(payments, session.id, amount=Decimal("48.31"))
    with pytest.raises(PaymentSessionNotFound):
        _attach(payments, session.id, reference="cart-2")
    assert _attach(payments, session.id).order_number == "CO-1"
    assert _attach(payments, session.id).order_number == "CO-1"
    with pytest.raises(PaymentSessionUsed):
        _attach(payments, session.id, number="CO-2")
    captured = payments.payment_capture(order_number="CO-1")
    assert (captured.status, captured.amount_captured) == ("captured", TOTAL)
    assert payments.payment_capture(order_number="CO-1").status == "captured"
    assert payments.payment_release(order_number="CO-1") is None
    refunded = payments.session_get(session_id=session.id)
    assert (refunded.status, refunded.amount_refunded) == ("refunded", TOTAL)
    payments.payment_release(order_number="CO-1")
    payments.payment_release(order_number="CO-404")
    with pytest.raises(PaymentSessionNotFound):
        payments.payment_capture(order_number="CO-404")


def test_payments_release_cancels_or_detaches(contract):
    payments = contract("payments")
    kept = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="pm_card_visa")
    _attach(payments, kept.id, number="CO-1")
    payments.payment_release(order_number="CO-1", cancel=False)
    assert payments.session_get(session_id=kept.id).order_number is None
    _attach(payments, kept.id, number="CO-2")
    payments.payment_release(order_number="CO-2")
    assert payments.session_get(session_id=kept.id).status == "canceled"
    with pytest.raises(PaymentSessionUsed):
        payments.payment_capture(order_number="CO-2")


def test_payments_declines_and_3d_secure(contract):
    payments = contract("payments")
    with pytest.raises(PaymentDeclined) as declined:
        payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="insufficient_funds", key="d")
    assert declined.value.decline_code == "insufficient_funds" and declined.value.code == "payment_declined"
    waiting = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR")
    with pytest.raises(PaymentNotAuthorized):
        _attach(payments, waiting.id)
    sca = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="3ds", key="s")
    assert sca.status == "requires_action" and sca.next_action["type"] == "redirect_to_url"
    with pytest.raises(PaymentActionRequired) as action:
        _attach(payments, sca.id)
    assert action.value.next_action == dict(sca.next_action)
    assert payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="3ds", key="s").id == sca.id
    _authenticate(payments, sca)
    assert _attach(payments, sca.id).status == "authorized"
    failing = payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="3ds")
    _authenticate(payments, failing, succeed=False)
    with pytest.raises(PaymentDeclined) as failed:
        _attach(payments, failing.id, number="CO-3")
    assert failed.value.decline_code == "authentication_failed"


def test_payments_outage_and_bad_input(contract):
    payments = contract("payments")
    with pytest.raises(PaymentProviderUnavailable):
        payments.session_create(reference="cart-1", amount=TOTAL, currency="EUR", payment_method="error")
    with pytest.raises(InvalidInput):
        payments.session_create(reference="cart-1", amount=Decimal("-1"), currency="EUR")
    with pytest.raises(InvalidInput):
        payments.session_create(reference="cart-1", amount=TOTAL, currency="eur")
    with pytest.raises(PaymentSessionNotFound):
        payments.session_get(session_id="ps_" + "0" * 24)


# --- recommendations -------------------------------------------------------------


def _learn(recommendations, *events) -> None:
    """Hand ``events`` to the recommendations module as the bus would (to the fake, as its tests do)."""
    if isinstance(recommendations, FakeRecommendations):
        for event in events:
            recommendations.event_apply(event)
        return
    from commerce.eventbus.services.inbox import subscription_apply

    for event in events:
        for subscription in subscriptions_for(event.name):
            if subscription.module == "recommendations":
                subscription_apply(subscription=subscription, event=event)


def _order(number: str, **quantities: int) -> OrderPlaced:
    lines = tuple(
        OrderLine(sku=sku.replace("_", "-"), name=sku, quantity=n, unit_price=Decimal(1), discount=Decimal(0), total=Decimal(n))
        for sku, n in quantities.items()
    )
    total = Decimal(sum(quantities.values()))
    return OrderPlaced(
        order_number=number, reservation_reference="", email="a@example.com", currency="EUR", lines=lines,
        subtotal=total, discount_total=Decimal(0), total=total,
    )


def test_recommendations_bought_together_and_popular(contract):
    recommendations = contract("recommendations")
    first, second = _order("CO-1", TEE_M=2, MUG_1=1), _order("CO-2", TEE_S=1, MUG_1=1)
    _learn(recommendations, first, second, _order("CO-3", MUG_1=1), _order("CO-4", TEE_M=1, MUG_1=1))
    (mug,) = recommendations.bought_together_get(product_slug="logo-tee", limit=5)
    assert (mug.product_slug, mug.product_name, mug.skus) == ("enamel-mug", "Enamel Mug", ("MUG-1",))
    (tee,) = recommendations.bought_together_get(product_slug="enamel-mug", limit=5)
    assert (tee.product_slug, tee.skus) == ("logo-tee", ("TEE-M", "TEE-S"))
    assert tee.score == pytest.approx(mug.score) and tee.score > 3  # three orders of this year, each weighing more than 1
    assert [(r.product_slug, r.score) for r in recommendations.popular_get(category_slug="home", limit=5)] == [("enamel-mug", 4.0)]
    assert [(r.product_slug, r.score) for r in recommendations.popular_get(category_slug="apparel", limit=5)] == [("logo-tee", 4.0)]
    _learn(recommendations, OrderCancelled(order_number="CO-4"), OrderCancelled(order_number="CO-4"), second)  # once each
    assert recommendations.bought_together_get(product_slug="logo-tee", limit=5)[0].score == pytest.approx(mug.score * 2 / 3, rel=1e-3)
    assert [r.score for r in recommendations.popular_get(category_slug="shirts", limit=5)] == [3.0]
    _learn(recommendations, ProductUnpublished(product_id=mug.product_id, slug="enamel-mug", skus=("MUG-1",)))
    assert recommendations.bought_together_get(product_slug="logo-tee", limit=5) == ()
    assert recommendations.bought_together_get(product_slug="never-sold", limit=5) == ()
    assert recommendations.popular_get(category_slug="no-such-category", limit=5) == ()


def test_recommendations_refuse_bad_input(contract):
    recommendations = contract("recommendations")
    for limit in (0, 101):
        with pytest.raises(InvalidInput) as refused:
            recommendations.bought_together_get(product_slug="logo-tee", limit=limit)
        assert refused.value.code == "invalid_limit"
    with pytest.raises(InvalidInput):
        recommendations.popular_get(category_slug="", limit=5)


# --- the transport itself ------------------------------------------------------


def test_unreachable_module_is_service_unavailable():
    client = ContractClient(
        module="inventory", protocol=CONTRACT_PROTOCOLS["inventory"], base_url="http://127.0.0.1:1", token=TOKEN, timeout=2
    )
    with pytest.raises(ServiceUnavailable):
        client.availability_get(skus=["TEE-M"])


def test_endpoint_is_hidden_without_the_token(client, settings, db):
    settings.CONTRACTS_SERVE_TOKENS = {"checkout": TOKEN}
    url = "/internal/contracts/inventory/availability_get"
    body = {"kwargs": {"skus": ["TEE-M"]}}
    assert client.post(url, body, content_type="application/json").status_code == 404
    wrong = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer wrong")
    assert wrong.status_code == 404
    ok = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and ok.json() == {"result": {"TEE-M": {"sku": "TEE-M", "available": 0}}}
    settings.CONTRACTS_SERVE_TOKENS = {}
    assert client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


# --- shipping ------------------------------------------------------------------

BERLIN = Address(name="Ada", line1="1 Main St", city="Berlin", postal_code="10115", country="DE")
BOOK = ShippableLine(sku="BOOK-1", quantity=2, weight_grams=400)


def _shipping_of_the_shop(contract):
    """Two methods to Germany (weight bands with free shipping from 150 EUR; a flat express), loaded where the
    implementation keeps them."""
    shipping = contract("shipping")
    weight = {"EUR": [(0, 1000, "4.90", "150"), (1000, 5000, "6.90", "150")]}
    flat = {"EUR": [(0, None, "14.90", None)]}
    if isinstance(shipping, FakeShipping):
        shipping.method_add("dhl", countries=["DE"], bands=weight, basis="weight", name="DHL", carrier="DHL", zone="Germany", days=(1, 3))
        shipping.method_add("express", countries=["DE"], bands=flat, name="Express", carrier="UPS", zone="Germany", days=(1, 1))
    else:
        from modules.shipping import services as shipping_services

        zone = shipping_services.zone_create(name="Germany", areas=[("DE", "", "")])
        for code, name, carrier, basis, bands, days in (
            ("dhl", "DHL", "DHL", "weight", weight, (1, 3)),
            ("express", "Express", "UPS", "flat", flat, (1, 1)),
        ):
            method = shipping_services.method_create(
                zone=zone, code=code, name=name, carrier=carrier, basis=basis, delivery_days_min=days[0], delivery_days_max=days[1]
            )
            for lower, upper, price, free in bands["EUR"]:
                shipping_services.rate_set(
                    method=method,
                    currency="EUR",
                    lower=Decimal(lower),
                    upper=None if upper is None else Decimal(upper),
                    price=Decimal(price),
                    free_above=None if free is None else Decimal(free),
                )
    return shipping


def test_shipping_methods_are_priced_for_the_cart_and_quoted_again(contract):
    shipping = _shipping_of_the_shop(contract)
    methods = shipping.methods_available(address=BERLIN, currency="EUR", subtotal=Decimal("40.00"), lines=[BOOK, BOOK])
    assert [(m.id, m.price, m.basis, m.zone) for m in methods] == [
        ("dhl", Decimal("6.90"), "weight", "Germany"),
        ("express", Decimal("14.90"), "flat", "Germany"),
    ]
    assert all(isinstance(m, ShippingMethodOption) and m.currency == "EUR" for m in methods)
    assert (methods[0].carrier, methods[0].delivery_days_min, methods[0].delivery_days_max) == ("DHL", 1, 3)
    quote = shipping.method_quote(method_id="dhl", address=BERLIN, currency="EUR", subtotal=Decimal("40.00"), lines=[BOOK, BOOK])
    assert quote == methods[0]
    free = shipping.method_quote(method_id="dhl", address=BERLIN, currency="EUR", subtotal=Decimal(150), lines=[BOOK])
    assert free.price == 0
    country_only = Address(name="", line1="", city="", country="DE")
    assert [m.id for m in shipping.methods_available(address=country_only, currency="EUR", subtotal=Decimal(0), lines=[BOOK])] == [
        "dhl",
        "express",
    ]
    assert shipping.methods_available(address=BERLIN, currency="USD", subtotal=Decimal(1), lines=[BOOK]) == ()


def test_shipping_errors_name_what_is_wrong(contract):
    shipping = _shipping_of_the_shop(contract)
    paris = Address(name="Ada", line1="1 Rue", city="Paris", postal_code="75001", country="FR")
    for method_id, address in (("dhl", paris), ("nope", BERLIN)):
        with pytest.raises(ShippingMethodUnavailable) as raised:
            shipping.method_quote(method_id=method_id, address=address, currency="EUR", subtotal=Decimal(1), lines=[BOOK])
        assert raised.value.method_id == method_id and [p.field for p in raised.value.errors] == ["shipping_method"]
    with pytest.raises(ShippingWeightMissing) as missing:
        shipping.methods_available(address=BERLIN, currency="EUR", subtotal=Decimal(1), lines=[BOOK, ShippableLine(sku="CARD", quantity=1)])
    assert missing.value.skus == ("CARD",) and missing.value.code == "weight_missing"
    with pytest.raises(InvalidInput) as invalid:
        shipping.methods_available(
            address=Address(name="A", line1="1", city="Berlin", postal_code="1011", country="DE"),
            currency="EUR",
            subtotal=Decimal(1),
            lines=[BOOK],
        )
    assert [p.field for p in invalid.value.errors] == ["postal_code"]
    with pytest.raises(UnknownCurrency):
        shipping.methods_available(address=BERLIN, currency="XYZ", subtotal=Decimal(1), lines=[BOOK])


# --- taxes ---------------------------------------------------------------------


def _taxes_of_the_shop(contract, settings):
    """German VAT (19 %, 7 %) and Californian sales tax, with gross prices."""
    settings.TAX_PRICES_INCLUDE_TAX = True
    taxes = contract("taxes")
    rates = (("DE", "", "standard", "19"), ("DE", "", "reduced", "7"), ("US", "CA", "standard", "7.25"))
    if isinstance(taxes, FakeTaxes):
        for country, region, tax_class, rate in rates:
            taxes.rate_set(country, tax_class, rate, region=region)
    else:
        from modules.taxes import services as tax_services

        for country, region, tax_class, rate in rates:
            tax_services.tax_rate_set(country=country, region=region, tax_class=tax_class, rate=Decimal(rate))
    return taxes


def test_taxes_per_line_and_on_shipping(contract, settings):
    taxes = _taxes_of_the_shop(contract, settings)
    lines = [
        TaxableLine(key="BOOK-1", amount=Decimal("10.70"), tax_class="reduced"),
        TaxableLine(key="TEE-M", amount=Decimal("23.80")),
        TaxableLine(key="GIFT", amount=Decimal("5.00"), tax_class="zero"),
    ]
    breakdown = taxes.tax_calculate(address=BERLIN, currency="EUR", lines=lines, shipping_amount=Decimal("5.95"))
    assert isinstance(breakdown, TaxBreakdown) and breakdown.prices_include_tax is True
    assert [(t.key, t.rate, t.net, t.tax, t.gross) for t in breakdown.lines] == [
        ("BOOK-1", 7, Decimal("10.00"), Decimal("0.70"), Decimal("10.70")),
        ("TEE-M", 19, Decimal("20.00"), Decimal("3.80"), Decimal("23.80")),
        ("GIFT", 0, Decimal("5.00"), Decimal("0.00"), Decimal("5.00")),
    ]
    assert breakdown.shipping is not None and (breakdown.shipping.rate, breakdown.shipping.tax) == (19, Decimal("0.95"))
    assert [(r.rate, r.net, r.tax) for r in breakdown.rates] == [(19, Decimal("25.00"), Decimal("4.75")), (7, Decimal("10.00"), Decimal("0.70"))]
    assert (breakdown.net_total, breakdown.tax_total, breakdown.gross_total) == (Decimal("40.00"), Decimal("5.45"), Decimal("45.45"))
    oregon = Address(name="A", line1="1", city="Portland", region="OR", postal_code="97201", country="US")
    assert taxes.tax_calculate(address=oregon, currency="USD", lines=lines[1:2]).tax_total == 0


def test_taxes_errors_name_what_is_wrong(contract, settings):
    taxes = _taxes_of_the_shop(contract, settings)
    california = Address(name="A", line1="1", city="LA", region="CA", postal_code="90001", country="US")
    with pytest.raises(TaxRateMissing) as missing:
        taxes.tax_calculate(address=california, currency="USD", lines=[TaxableLine(key="B", amount=Decimal(1), tax_class="reduced")])
    assert (missing.value.country, missing.value.region, missing.value.tax_class) == ("US", "CA", "reduced")
    with pytest.raises(InvalidInput) as invalid:
        taxes.tax_calculate(address=BERLIN, currency="EUR", lines=[TaxableLine(key="B", amount=Decimal("1.001"))])
    assert [p.field for p in invalid.value.errors] == ["lines.0.amount"]
    with pytest.raises(UnknownCurrency):
        taxes.tax_calculate(address=BERLIN, currency="XYZ", lines=[])
