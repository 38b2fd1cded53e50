"""The taxes contract through its facade: VAT in Germany on gross prices, sales tax in a US state on net prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.addresses import Address
from contracts.errors import InvalidInput
from contracts.pricing import UnknownCurrency
from contracts.taxes import TaxableLine, TaxRateMissing, TaxRateTotal
from modules.taxes import services
from modules.taxes.facade import TaxesFacade

pytestmark = pytest.mark.django_db

BERLIN = Address(name="Ada", line1="1 Main St", city="Berlin", postal_code="10115", country="DE")
LA = Address(name="Ada", line1="1 Main St", city="Los Angeles", region="CA", postal_code="90001", country="US")
PORTLAND = Address(name="Ada", line1="1 Main St", city="Portland", region="OR", postal_code="97201", country="US")
BOOK = TaxableLine(key="BOOK", amount=Decimal("10.70"), tax_class="reduced")
SHIRT = TaxableLine(key="SHIRT", amount=Decimal("23.80"), tax_class="standard")


@pytest.fixture
def rates(db):
    services.tax_rate_set(country="DE", tax_class="standard", rate=Decimal(19))
    services.tax_rate_set(country="DE", tax_class="reduced", rate=Decimal(7))
    services.tax_rate_set(country="US", region="CA", tax_class="standard", rate=Decimal("7.25"))
    services.tax_rate_set(country="US", region="CA", tax_class="reduced", rate=Decimal("7.25"))
    services.country_shipping_rule_set(country="US", shipping="exempt")


def test_german_vat_on_gross_prices_per_rate_and_on_shipping_at_the_highest(rates, settings):
    settings.TAX_PRICES_INCLUDE_TAX = True
    tax = TaxesFacade().tax_calculate(address=BERLIN, currency="EUR", lines=[BOOK, SHIRT], shipping_amount=Decimal("5.95"))
    assert [(line.key, line.rate, line.net, line.tax, line.gross) for line in tax.lines] == [
        ("BOOK", Decimal(7), Decimal("10.00"), Decimal("0.70"), Decimal("10.70")),
        ("SHIRT", Decimal(19), Decimal("20.00"), Decimal("3.80"), Decimal("23.80")),
    ]
    assert tax.shipping is not None
    assert (tax.shipping.rate, tax.shipping.net, tax.shipping.tax, tax.shipping.gross) == (
        Decimal(19),
        Decimal("5.00"),
        Decimal("0.95"),
        Decimal("5.95"),
    )
    assert tax.rates == (
        TaxRateTotal(rate=Decimal(19), net=Decimal("25.00"), tax=Decimal("4.75")),
        TaxRateTotal(rate=Decimal(7), net=Decimal("10.00"), tax=Decimal("0.70")),
    )
    assert (tax.net_total, tax.tax_total, tax.gross_total) == (Decimal("35.00"), Decimal("5.45"), Decimal("40.45"))
    assert tax.prices_include_tax is True and (tax.country, tax.region) == ("DE", "")


def test_us_sales_tax_is_added_to_net_prices_and_shipping_is_exempt_where_the_rule_says(rates, settings):
    settings.TAX_PRICES_INCLUDE_TAX = False
    lines = [
        TaxableLine(key="BOOK", amount=Decimal("10.00"), tax_class="reduced"),
        TaxableLine(key="SHIRT", amount=Decimal("20.00")),
    ]
    tax = TaxesFacade().tax_calculate(address=LA, currency="USD", lines=lines, shipping_amount=Decimal("7.99"))
    assert [line.tax for line in tax.lines] == [Decimal("0.73"), Decimal("1.45")]
    assert tax.shipping is not None and (tax.shipping.rate, tax.shipping.tax) == (Decimal(0), Decimal("0.00"))
    assert (tax.net_total, tax.tax_total, tax.gross_total) == (Decimal("37.99"), Decimal("2.18"), Decimal("40.17"))
    # A state with no rate of its own, in a country whose rates are all regional, is not taxed.
    untaxed = TaxesFacade().tax_calculate(address=PORTLAND, currency="USD", lines=lines)
    assert untaxed.tax_total == 0 and untaxed.shipping is None and untaxed.rates == ()


def test_a_region_rate_beats_its_country_and_the_zero_class_is_never_taxed(rates):
    services.tax_rate_set(country="DE", region="", tax_class="standard", rate=Decimal(19))
    services.tax_rate_set(country="ES", tax_class="standard", rate=Decimal(21))
    services.tax_rate_set(country="ES", region="TF", tax_class="standard", rate=Decimal(7))  # Canary Islands: IGIC
    tenerife = Address(name="A", line1="1", city="Santa Cruz", region="TF", postal_code="38001", country="ES")
    lines = [TaxableLine(key="SHIRT", amount=Decimal("10.70")), TaxableLine(key="GIFT", amount=Decimal(5), tax_class="zero")]
    tax = TaxesFacade().tax_calculate(address=tenerife, currency="EUR", lines=lines)
    assert [(line.rate, line.tax) for line in tax.lines] == [(Decimal(7), Decimal("0.70")), (Decimal(0), Decimal("0.00"))]


def test_a_taxed_destination_without_the_class_rate_is_refused_by_name(rates):
    services.tax_rate_set(country="FR", tax_class="standard", rate=Decimal(20))
    paris = Address(name="A", line1="1", city="Paris", postal_code="75001", country="FR")
    with pytest.raises(TaxRateMissing) as raised:
        TaxesFacade().tax_calculate(address=paris, currency="EUR", lines=[BOOK])
    assert (raised.value.country, raised.value.tax_class, raised.value.code) == ("FR", "reduced", "tax_rate_missing")


def test_bad_input_names_the_field(rates):
    facade = TaxesFacade()
    with pytest.raises(UnknownCurrency):
        facade.tax_calculate(address=BERLIN, currency="XYZ", lines=[BOOK])
    bad = [
        TaxableLine(key="A", amount=Decimal("1.001")),
        TaxableLine(key="B", amount=Decimal(1), tax_class="luxury"),  # type: ignore[arg-type]
        TaxableLine(key="", amount=Decimal(1)),
    ]
    with pytest.raises(InvalidInput) as raised:
        facade.tax_calculate(address=BERLIN, currency="EUR", lines=bad, shipping_amount=Decimal(-1))
    assert [p.field for p in raised.value.errors] == ["lines.0.amount", "lines.1.tax_class", "lines.2.key", "shipping_amount"]


def test_rates_refuse_unknown_places_and_impossible_percentages(db):
    with pytest.raises(InvalidInput) as raised:
        services.tax_rate_set(country="XX", tax_class="premium", rate=Decimal(101))
    assert {p.field for p in raised.value.errors} == {"country", "tax_class", "rate"}
    with pytest.raises(InvalidInput) as raised:
        services.tax_rate_set(country="DE", region="BY", tax_class="zero", rate=Decimal(5))
    assert {p.field for p in raised.value.errors} == {"region", "rate"}


def test_another_provider_replaces_the_rate_table(rates, settings):
    settings.TAX_PROVIDER = "modules.taxes.tests.test_facade.FlatTenPercent"
    tax = TaxesFacade().tax_calculate(address=BERLIN, currency="EUR", lines=[SHIRT])
    assert tax.tax_total == Decimal("2.16")


class FlatTenPercent:
    """An external tax service's adapter, as a test stands for it."""

    def calculate(self, *, address, currency, lines, shipping_amount, prices_include_tax):
        from modules.taxes.calculator import tax_compute

        return tax_compute(
            currency=currency,
            decimals=2,
            country=address.country,
            region=address.region,
            lines=lines,
            shipping_amount=shipping_amount,
            rates={"standard": Decimal(10), "reduced": Decimal(10)},
            shipping_rule="highest",
            prices_include_tax=prices_include_tax,
        )


def test_the_destination_is_normalized_before_the_rates_are_looked_up(rates, settings):
    settings.TAX_PRICES_INCLUDE_TAX = False
    by_name = Address(name="", line1="", city="", region="california", country="us")
    tax = TaxesFacade().tax_calculate(address=by_name, currency="USD", lines=[TaxableLine(key="A", amount=Decimal(100))])
    assert (tax.country, tax.region, tax.tax_total) == ("US", "CA", Decimal("7.25"))
    with pytest.raises(InvalidInput) as raised:
        TaxesFacade().tax_calculate(
            address=Address(name="", line1="", city="", region="Narnia", country="US"), currency="USD", lines=[]
        )
    assert [p.field for p in raised.value.errors] == ["region"]
