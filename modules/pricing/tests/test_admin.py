"""Admin of pricing: pages render, prices saved there publish events, CSV upload is all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from modules.pricing.models import Price, VoucherRedemption
from modules.pricing.tests.factories import price_list_make, price_make, promotion_make, voucher_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def test_every_pricing_page_renders(staff) -> None:
    price = price_make("A", "1.00")
    price_list = price_list_make("Sale", items=[("A", "EUR", "0.50")])
    promotion = promotion_make("Promo", skus=["A"])
    voucher = voucher_make("CODE")
    VoucherRedemption.objects.create(voucher=voucher, reference="O-1", email="a@example.com")
    pages = [
        "/admin/pricing/price/?q=A&currency__exact=EUR",
        f"/admin/pricing/price/{price.pk}/change/",
        "/admin/pricing/price/add/",
        "/admin/pricing/pricelist/",
        f"/admin/pricing/pricelist/{price_list.pk}/change/",
        "/admin/pricing/promotion/",
        f"/admin/pricing/promotion/{promotion.pk}/change/",
        "/admin/pricing/voucher/",
        f"/admin/pricing/voucher/{voucher.pk}/change/",
        "/admin/pricing/price/import/",
    ]
    for page in pages:
        assert staff.get(page).status_code == 200, page
    assert b"/admin/pricing/price/import/" in staff.get("/admin/pricing/price/").content
    assert b"O-1" in staff.get(f"/admin/pricing/voucher/{voucher.pk}/change/").content


def test_a_price_saved_in_the_admin_goes_through_the_service(staff, price_events, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/admin/pricing/price/add/", {"sku": "A", "currency": "EUR", "amount": "9.99"})
    assert response.status_code == 302
    assert [(e.sku, e.amount) for e in price_events] == [("A", Decimal("9.99"))]
    refused = staff.post("/admin/pricing/price/add/", {"sku": "B", "currency": "EUR", "amount": "9.999"})
    assert refused.status_code == 200 and not Price.objects.filter(sku="B").exists()
    refused = staff.post("/admin/pricing/price/add/", {"sku": "B", "currency": "EUR", "amount": "-1"})
    assert refused.status_code == 200 and not Price.objects.filter(sku="B").exists()


def test_the_csv_upload_imports_or_lists_every_bad_line(staff, catalog) -> None:
    catalog.variants_add({"A", "B", "C", "D"})
    good = SimpleUploadedFile("p.csv", b"sku,currency,amount\nA,EUR,1.00\nB,USD,2.00\n", content_type="text/csv")
    response = staff.post("/admin/pricing/price/import/", {"file": good})
    assert response.status_code == 302
    assert Price.objects.count() == 2
    bad = SimpleUploadedFile("p.csv", b"A,EUR,3.00\nC,EUR,-1\nD,XXX,1\n", content_type="text/csv")
    response = staff.post("/admin/pricing/price/import/", {"file": bad})
    assert response.status_code == 200
    assert b"<tr><td>2</td>" in response.content and b"<tr><td>3</td>" in response.content
    assert Price.objects.get(sku="A").amount == Decimal("1.00")


def test_the_csv_upload_lists_the_first_bad_lines_and_counts_all(staff, catalog) -> None:
    bad = SimpleUploadedFile("p.csv", "".join(f"S{n},EUR,1.00\n" for n in range(120)).encode(), content_type="text/csv")
    response = staff.post("/admin/pricing/price/import/", {"file": bad})
    assert response.status_code == 200
    assert b"120 problem(s)" in response.content and b"first 50 are listed" in response.content
    assert response.content.count(b"<tr><td>") == 50 and b"<tr><td>50</td>" in response.content
    assert b"70 more" in response.content
    assert b"is not in the catalog" in response.content
    assert not Price.objects.exists()


def test_the_upload_needs_staff(client) -> None:
    assert client.get("/admin/pricing/price/import/").status_code == 302  # to the login page
