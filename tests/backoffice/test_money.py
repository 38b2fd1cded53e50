"""Money reads like money in the admin: minor units of the currency, then its code (9.99 EUR, 500 JPY)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.money import ISO_MINOR_UNITS
from kernel.money import money_display
from modules.pricing.models import Price, Promotion, Voucher


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("9.990"), "EUR", "9.99 EUR"),
        (Decimal("500.000"), "JPY", "500 JPY"),
        (Decimal("1.235"), "KWD", "1.235 KWD"),
        (Decimal("0.005"), "EUR", "0.01 EUR"),  # more decimals than the currency: half up, the shop's rule
        (Decimal("-0.001"), "EUR", "0.00 EUR"),  # never "-0.00"
        (Decimal("12.500"), "XTS", "12.5 XTS"),  # a currency without a known minor unit keeps its digits
        (Decimal("10"), "USD", "10.00 USD"),
        (None, "EUR", "—"),
    ],
)
def test_money_display(amount, currency, shown):
    assert money_display(amount, currency) == shown


def test_the_minor_units_have_one_definition():
    import modules.pricing.money as pricing_money

    assert not hasattr(pricing_money, "ISO_MINOR_UNITS") or pricing_money.ISO_MINOR_UNITS is ISO_MINOR_UNITS
    assert ISO_MINOR_UNITS["JPY"] == 0 and ISO_MINOR_UNITS["EUR"] == 2 and ISO_MINOR_UNITS["KWD"] == 3


def test_orders_list_and_page_show_money(client, superuser, make_order):
    order = make_order(total="9.99", lines=[("SKU-1", "Tee", 2, "4.995")])
    yen = make_order(currency="JPY", total="1500")
    client.force_login(superuser)
    listing = client.get(reverse("admin:checkout_order_changelist")).content.decode()
    assert "9.99 EUR" in listing and "1500 JPY" in listing
    assert "9.990" not in listing and "1500.000" not in listing
    page = client.get(reverse("admin:checkout_order_change", args=[order.pk])).content.decode()
    assert "9.99 EUR" in page and "5.00 EUR" in page  # the line's unit price, rounded half up for display
    assert "9.990" not in page
    assert "1500 JPY" in client.get(reverse("admin:checkout_order_change", args=[yen.pk])).content.decode()


def test_pricing_lists_show_money(client, superuser, settings):
    settings.SHOP_CURRENCIES = ["EUR", "JPY"]
    Price.objects.create(sku="SKU-1", currency="EUR", amount=Decimal("19.900"), compare_at=Decimal("24.000"))
    Price.objects.create(sku="SKU-1", currency="JPY", amount=Decimal("2500"))
    Promotion.objects.create(name="Ten off", kind="percentage", value=Decimal("10.000"), target="subtotal",
                             currency="EUR", min_subtotal=Decimal("50.000"))
    Voucher.objects.create(code="FIVE", kind="fixed", value=Decimal("5.000"), currency="EUR")
    client.force_login(superuser)
    prices = client.get(reverse("admin:pricing_price_changelist")).content.decode()
    assert "19.90 EUR" in prices and "24.00 EUR" in prices and "2500 JPY" in prices and "19.900" not in prices
    promotions = client.get(reverse("admin:pricing_promotion_changelist")).content.decode()
    assert "10 %" in promotions and "50.00 EUR" in promotions
    vouchers = client.get(reverse("admin:pricing_voucher_changelist")).content.decode()
    assert "5.00 EUR" in vouchers and "5.000" not in vouchers


def test_price_list_items_and_price_forms_show_money(client, superuser):
    from modules.pricing.models import PriceList, PriceListItem

    price_list = PriceList.objects.create(name="Sale")
    PriceListItem.objects.create(price_list=price_list, sku="SKU-1", currency="EUR", amount=Decimal("7.500"))
    price = Price.objects.create(sku="SKU-1", currency="EUR", amount=Decimal("19.900"))
    client.force_login(superuser)
    form = client.get(reverse("admin:pricing_price_change", args=[price.pk])).content.decode()
    assert 'value="19.90"' in form and "19.900" not in form
    page = client.get(reverse("admin:pricing_pricelist_change", args=[price_list.pk])).content.decode()
    assert 'value="7.50"' in page and "7.500" not in page
