"""Admin of shipping: pages render, bad bands are refused with the field named, the rate CSV import is all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from kernel.imports import ImportInvalid
from modules.shipping.imports import shipping_rates_import
from modules.shipping.models import ShippingMethod, ShippingRate, ShippingZone

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def bands(code: str, currency: str = "EUR") -> list[tuple[Decimal, Decimal | None, Decimal, Decimal | None]]:
    return list(
        ShippingRate.objects.filter(method__code=code, currency=currency)
        .order_by("lower")
        .values_list("lower", "upper", "price", "free_above")
    )


def test_every_shipping_page_renders(staff, shop):
    rate = ShippingRate.objects.filter(method=shop["dhl"]).first()
    pages = [
        "/admin/shipping/shippingzone/",
        f"/admin/shipping/shippingzone/{shop['germany'].pk}/change/",
        "/admin/shipping/shippingzone/add/",
        "/admin/shipping/shippingmethod/?active__exact=1",
        f"/admin/shipping/shippingmethod/{shop['dhl'].pk}/change/",
        "/admin/shipping/shippingmethod/add/",
        "/admin/shipping/shippingrate/?currency=EUR",
        f"/admin/shipping/shippingrate/{rate.pk}/change/",
        "/admin/shipping/shippingrate/import/",
    ]
    for page in pages:
        assert staff.get(page).status_code == 200, page
    assert b"/admin/shipping/shippingrate/import/" in staff.get("/admin/shipping/shippingrate/").content


def test_the_admin_refuses_an_overlapping_band_and_an_unknown_region(staff, shop):
    response = staff.post(
        "/admin/shipping/shippingrate/add/",
        {"method": shop["dhl"].pk, "currency": "EUR", "lower": "500", "upper": "2000", "price": "1.00"},
    )
    assert response.status_code == 200 and "Overlaps another band" in response.content.decode()
    zone = {
        "name": "Texas",
        "areas-TOTAL_FORMS": "1",
        "areas-INITIAL_FORMS": "0",
        "areas-0-country": "US",
        "areas-0-region": "ZZ",
    }
    zone |= {"methods-TOTAL_FORMS": "0", "methods-INITIAL_FORMS": "0"}
    response = staff.post("/admin/shipping/shippingzone/add/", zone)
    assert response.status_code == 200 and "Not a region code of US" in response.content.decode()
    assert not ShippingZone.objects.filter(name="Texas").exists()


def test_the_import_replaces_the_bands_of_each_method_and_currency_it_names(shop):
    text = "method,currency,lower,upper,price,free_above\ndhl-parcel,EUR,0,2000,5.90,\ndhl-parcel,EUR,2000,,9.90,100\n"
    result = shipping_rates_import(text=text)
    assert (result.methods, result.bands, result.replaced) == (1, 2, 3)
    assert bands("dhl-parcel") == [
        (Decimal(0), Decimal(2000), Decimal("5.9"), None),
        (Decimal(2000), None, Decimal("9.9"), Decimal(100)),
    ]
    assert bands("express") == [(Decimal(0), None, Decimal("14.9"), None)]  # not named: kept
    again = shipping_rates_import(text=text)
    assert again.replaced == 2 and len(bands("dhl-parcel")) == 2


def test_a_bad_file_imports_nothing_and_names_each_line(shop):
    before = bands("dhl-parcel")
    text = "\n".join(
        [
            "dhl-parcel,EUR,0,2000,5.90",
            "dhl-parcel,EUR,1500,,9.90",  # overlaps line 1
            "nope,EUR,0,,1",
            "express,GBP,0,,1",
            "express,EUR,0,,x",
        ]
    )
    with pytest.raises(ImportInvalid) as raised:
        shipping_rates_import(text=text)
    assert [(p.line, p.code) for p in raised.value.problems] == [
        (1, "overlap"),
        (3, "unknown_method"),
        (4, "unknown_currency"),
        (5, "invalid_amount"),
    ]
    assert bands("dhl-parcel") == before


def test_the_import_page_and_command(staff, shop, tmp_path):
    upload = SimpleUploadedFile("rates.csv", b"express,EUR,0,,12.50\n", content_type="text/csv")
    response = staff.post("/admin/shipping/shippingrate/import/", {"file": upload})
    assert response.status_code == 302
    assert bands("express") == [(Decimal(0), None, Decimal("12.5"), None)]
    path = tmp_path / "rates.csv"
    path.write_text("express,EUR,0,,11.00\n")
    call_command("import_shipping_rates", str(path), "--dry-run")
    assert bands("express")[0][2] == Decimal("12.5")
    call_command("import_shipping_rates", str(path))
    assert bands("express")[0][2] == Decimal(11)
    path.write_text("express,EUR,5,,11.00\n")
    with pytest.raises(CommandError):
        call_command("import_shipping_rates", str(path))
    assert ShippingMethod.objects.get(code="express").rates.count() == 1
