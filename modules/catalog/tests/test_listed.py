"""``Product.listed`` (what the storefront lists) stays "published with an active variant" through every write path."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef

from modules.catalog import services
from modules.catalog.imports.csv_import import catalog_import_csv
from modules.catalog.models import Product, Variant
from modules.catalog.tests.test_admin import _product_form

pytestmark = pytest.mark.django_db

LIST = "/api/v1/catalog/products/"


def listed() -> set[str]:
    """The slugs listed, after checking the column against the rule it stands for."""
    sellable = set(
        Product.objects.filter(Exists(Variant.objects.filter(product_id=OuterRef("pk"), active=True)), status="published")
        .values_list("slug", flat=True)
    )
    stored = set(Product.objects.filter(listed=True).values_list("slug", flat=True))
    assert stored == sellable
    return stored


def test_the_services_keep_it(make_product, api_client):
    product = make_product("tee", skus=["TEE-S", "TEE-M"], published=False)
    assert listed() == set()
    services.product_publish(product=product)
    assert listed() == {"tee"} and product.listed
    services.variant_deactivate(variant=Variant.objects.get(sku="TEE-S"))
    assert listed() == {"tee"}
    services.variant_deactivate(variant=Variant.objects.get(sku="TEE-M"))
    assert listed() == set()  # published, but nothing left to sell
    assert api_client.get(LIST).json()["count"] == 0
    services.variant_create(product=product, sku="TEE-L", name="L")
    assert listed() == {"tee"} and [p["slug"] for p in api_client.get(LIST).json()["results"]] == ["tee"]
    services.product_unpublish(product=product)
    assert listed() == set() and not product.listed


def test_the_admin_keeps_it(admin_client, make_product, settings):
    settings.CATALOG_CACHE_SECONDS = 0
    product = make_product("linen-shirt", name="Linen Shirt", skus=["LIN-M"])
    variant = product.variants.get()
    off = [{"id": str(variant.pk), "sku": "LIN-M", "name": "M", "attributes": "{}"}]
    assert admin_client.post(f"/admin/catalog/product/{product.pk}/change/", _product_form(product, off, status="published")).status_code == 302
    assert listed() == set()
    added = [*off, {"sku": "LIN-L", "name": "L", "attributes": "{}", "active": "on"}]
    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", _product_form(product, added, status="published"))
    assert response.status_code == 302
    assert listed() == {"linen-shirt"}


def test_the_import_keeps_it(db):
    header = "sku,product_slug,product_name,variant_name,category,description,status\n"
    catalog_import_csv(text=header + "A-1,a,A,,,,published\nB-1,b,B,,,,draft\n")
    assert listed() == {"a"}
    catalog_import_csv(text=header + "A-1,a,A,,,,draft\nB-1,b,B,,,,published\n")
    assert listed() == {"b"}
