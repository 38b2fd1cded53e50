"""What an order costs: goods, shipping and tax composed through the contracts, as checkout will compose them.

The calls are the ones checkout makes next (see the shipping and taxes
contracts): the goods lines come from pricing's quote (after discounts), the
weights and tax classes from the catalog's variants; here they are given.

    option = services().shipping.method_quote(method_id=..., address=..., currency=..., subtotal=quote.total,
                                              lines=[ShippableLine(sku, quantity, weight_grams)])
    tax = services().taxes.tax_calculate(address=..., currency=..., shipping_amount=option.price,
                                         lines=[TaxableLine(key=sku, amount=line.total, tax_class=...)])
    grand total = tax.gross_total  (= goods + shipping with prices including tax; + tax on top without)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.addresses import Address
from contracts.container import services
from contracts.shipping import ShippableLine
from contracts.taxes import TaxableLine

pytestmark = pytest.mark.django_db(databases="__all__")

BERLIN = Address(name="Ada Lovelace", line1="1 Unter den Linden", city="Berlin", postal_code="10117", country="DE")
LOS_ANGELES = Address(
    name="Ada Lovelace", line1="1 Main St", city="Los Angeles", region="California", postal_code="90012", country="US"
)
# (sku, quantity, line total after discounts, grams per unit, tax class)
DE_CART = [("BOOK-1", 1, "10.70", 400, "reduced"), ("TEE-M", 1, "23.80", 250, "standard")]
US_CART = [("BOOK-1", 1, "10.00", 400, "reduced"), ("TEE-M", 1, "20.00", 250, "standard")]


@pytest.fixture
def shop(db):
    from modules.shipping import services as shipping
    from modules.taxes import services as taxes

    germany = shipping.zone_create(name="Germany", areas=[("DE", "", "")])
    dhl = shipping.method_create(zone=germany, code="dhl-paket", name="DHL Paket", carrier="DHL", basis="weight")
    for lower, upper, price in ((0, 1000, "4.90"), (1000, 5000, "6.90")):
        shipping.rate_set(method=dhl, currency="EUR", lower=Decimal(lower), upper=Decimal(upper), price=Decimal(price))
    usa = shipping.zone_create(name="USA", areas=[("US", "", "")])
    ground = shipping.method_create(zone=usa, code="usps-ground", name="Ground", carrier="USPS", basis="subtotal")
    shipping.rate_set(method=ground, currency="USD", lower=Decimal(0), upper=Decimal(50), price=Decimal("7.99"))
    shipping.rate_set(method=ground, currency="USD", lower=Decimal(50), price=Decimal(0))
    taxes.tax_rate_set(country="DE", tax_class="standard", rate=Decimal(19))
    taxes.tax_rate_set(country="DE", tax_class="reduced", rate=Decimal(7))
    for tax_class in ("standard", "reduced"):
        taxes.tax_rate_set(country="US", region="CA", tax_class=tax_class, rate=Decimal("7.25"))
    taxes.country_shipping_rule_set(country="US", shipping="exempt")


def order_costs(*, address: Address, currency: str, method_id: str, cart: list[tuple[str, int, str, int, str]]):
    subtotal = sum((Decimal(total) for _, _, total, _, _ in cart), Decimal(0))
    option = services().shipping.method_quote(
        method_id=method_id,
        address=address,
        currency=currency,
        subtotal=subtotal,
        lines=[ShippableLine(sku=sku, quantity=qty, weight_grams=grams) for sku, qty, _, grams, _ in cart],
    )
    tax = services().taxes.tax_calculate(
        address=address,
        currency=currency,
        lines=[TaxableLine(key=sku, amount=Decimal(total), tax_class=cls) for sku, _, total, _, cls in cart],  # type: ignore[arg-type]
        shipping_amount=option.price,
    )
    return subtotal, option, tax


def test_germany_gross_prices_vat_per_rate_and_on_shipping(shop, settings):
    settings.TAX_PRICES_INCLUDE_TAX = True
    subtotal, option, tax = order_costs(address=BERLIN, currency="EUR", method_id="dhl-paket", cart=DE_CART)
    assert (option.price, option.basis) == (Decimal("4.90"), "weight")  # 650 g
    assert [(line.key, line.rate, line.tax) for line in tax.lines] == [
        ("BOOK-1", 7, Decimal("0.70")),
        ("TEE-M", 19, Decimal("3.80")),
    ]
    assert tax.shipping is not None and (tax.shipping.rate, tax.shipping.tax) == (
        19,
        Decimal("0.78"),
    )  # the highest rate of the goods
    assert [(r.rate, r.tax) for r in tax.rates] == [(19, Decimal("4.58")), (7, Decimal("0.70"))]
    # Gross prices: the grand total is what the customer saw, goods plus shipping; the tax is inside it.
    assert tax.gross_total == subtotal + option.price == Decimal("39.40")
    assert (tax.net_total, tax.tax_total) == (Decimal("34.12"), Decimal("5.28"))


def test_california_net_prices_sales_tax_added_shipping_exempt(shop, settings):
    settings.TAX_PRICES_INCLUDE_TAX = False
    subtotal, option, tax = order_costs(address=LOS_ANGELES, currency="USD", method_id="usps-ground", cart=US_CART)
    assert option.price == Decimal("7.99")
    assert [line.tax for line in tax.lines] == [Decimal("0.73"), Decimal("1.45")]  # 7.25 % each, rounded per line
    assert tax.shipping is not None and tax.shipping.tax == 0
    # Net prices: the tax is added on top of goods and shipping.
    assert tax.gross_total == subtotal + option.price + tax.tax_total == Decimal("40.17")
