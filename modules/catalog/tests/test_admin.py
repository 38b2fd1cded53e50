"""Admin smoke tests: changelists, search, bulk publishing, editing through services, CSV import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from modules.catalog.models import Category, Product, Variant

CHANGELIST = "/admin/catalog/product/"
IMPORT = "/admin/catalog/product/import/"
HEADER = "sku,product_slug,product_name,variant_name,category,description,status\n"


def test_product_changelist_filters_and_searches_by_sku(admin_client, make_product, tree):
    make_product("oxford-shirt", name="Oxford Shirt", skus=["OX-BLUE-M"], category=tree.shirts)
    make_product("mug", name="Mug", skus=["MUG-1"], category=tree.home, published=False)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert b"Oxford Shirt" in response.content and b"apparel \xe2\x80\xba shirts" in response.content
    assert b"Import CSV" in response.content
    found = admin_client.get(CHANGELIST, {"q": "ox-blue"})
    assert b"Oxford Shirt" in found.content and b">Mug<" not in found.content
    drafts = admin_client.get(CHANGELIST, {"status__exact": "draft"})
    assert b">Mug<" in drafts.content and b"Oxford Shirt" not in drafts.content
    assert admin_client.get(CHANGELIST, {"category__id__exact": tree.home.pk}).status_code == 200


def test_category_changelist_shows_the_tree(admin_client, tree):
    response = admin_client.get("/admin/catalog/category/")
    assert response.status_code == 200
    assert "└ Flannel" in response.content.decode()


def test_bulk_publish_and_unpublish_go_through_the_services(
    admin_client, make_product, received, django_capture_on_commit_callbacks
):
    shirt = make_product("shirt", published=False)
    empty = make_product("empty", skus=["E-1"], inactive=["E-1"], published=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "publish_selected", "_selected_action": [shirt.pk, empty.pk]}, follow=True
        )
    assert response.status_code == 200
    assert "1 product(s) published" in response.content.decode()
    assert "no active variant: empty" in response.content.decode()
    assert Product.objects.get(pk=shirt.pk).status == "published"
    assert Product.objects.get(pk=empty.pk).status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CHANGELIST, {"action": "unpublish_selected", "_selected_action": [shirt.pk]})
    assert Product.objects.get(pk=shirt.pk).status == "draft"
    assert [type(e) for e in received] == [ProductPublished, ProductUnpublished]


def _product_form(product: Product | None, variants: list[dict], **fields) -> dict:
    data = {
        "name": "Linen Shirt",
        "slug": "linen-shirt",
        "category": "",
        "description": "",
        "attributes": "{}",
        "tax_class": "standard",
        "status": "draft",
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(sum(1 for v in variants if "id" in v)),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "media-TOTAL_FORMS": "0",
        "media-INITIAL_FORMS": "0",
        "media-MIN_NUM_FORMS": "0",
        "media-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, variant in enumerate(variants):
        for key, value in variant.items():
            data[f"variants-{index}-{key}"] = value
        if product is not None:
            data[f"variants-{index}-product"] = str(product.pk)
    return data


def test_adding_a_published_product_with_variants_publishes_it(
    admin_client, received, django_capture_on_commit_callbacks
):
    data = _product_form(None, [{"sku": "LIN-M", "name": "M", "attributes": "{}", "active": "on"}], status="published")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/catalog/product/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(slug="linen-shirt")
    assert product.status == "published" and product.variants.get().sku == "LIN-M"
    assert [type(e) for e in received] == [ProductPublished]


def test_invalid_sku_in_the_admin_is_a_form_error(admin_client):
    data = _product_form(None, [{"sku": "HAS SPACE", "name": "M", "attributes": "{}", "active": "on"}])
    response = admin_client.post("/admin/catalog/product/add/", data)
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_unticking_active_discontinues_the_variant(
    admin_client, make_product, received, django_capture_on_commit_callbacks
):
    product = make_product("linen-shirt", name="Linen Shirt", skus=["LIN-M", "LIN-L"])
    variants = [
        {
            "id": str(v.pk),
            "sku": v.sku,
            "name": v.name,
            "attributes": "{}",
            **({"active": "on"} if v.sku == "LIN-L" else {}),
        }
        for v in product.variants.order_by("id")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/catalog/product/{product.pk}/change/", _product_form(product, variants, status="published")
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Variant.objects.get(sku="LIN-M").active
    assert [(type(e), e.sku) for e in received] == [(VariantDiscontinued, "LIN-M")]


def test_category_admin_keeps_paths(admin_client, tree):
    response = admin_client.post(
        f"/admin/catalog/category/{tree.shirts.pk}/change/", {"name": "Shirts", "slug": "tops", "parent": tree.home.pk}
    )
    assert response.status_code == 302
    assert Category.objects.get(slug="flannel").path == "home/tops/flannel"
    cycle = admin_client.post(
        f"/admin/catalog/category/{tree.home.pk}/change/",
        {"name": "Home", "slug": "home", "parent": tree.flannel.pk},  # flannel now lives below home
    )
    assert cycle.status_code == 200 and "cannot sit below itself" in cycle.content.decode()


def test_import_page_imports_a_file(admin_client):
    assert admin_client.get(IMPORT).status_code == 200
    upload = SimpleUploadedFile("c.csv", (HEADER + "S-1,shirt,Shirt,M,apparel/shirts,,published\n").encode())
    response = admin_client.post(IMPORT, {"file": upload})
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    assert Product.objects.get(slug="shirt").status == "published"


def test_import_page_lists_bad_lines_and_writes_nothing(admin_client):
    upload = SimpleUploadedFile(
        "c.csv", (HEADER + "S-1,shirt,Shirt,,,,draft\nBAD SKU,x,X,,,,draft\nS-3,y,,,,,\n").encode()
    )
    response = admin_client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 problem(s); nothing was imported" in html
    assert "<td>3</td>" in html and "<td>4</td>" in html and "product_name is required" in html
    assert not Product.objects.exists()


def test_import_page_dry_run_and_bad_encoding(admin_client):
    upload = SimpleUploadedFile("c.csv", (HEADER + "S-1,shirt,Shirt,,,,draft\n").encode())
    response = admin_client.post(IMPORT, {"file": upload, "dry_run": "on"})
    assert response.status_code == 200 and "products created: 1" in response.content.decode()
    assert not Product.objects.exists()
    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", b"\xff\xfe\x00")})
    assert response.status_code == 200 and "not UTF-8" in response.content.decode()


@pytest.mark.parametrize("url", [IMPORT, CHANGELIST])
def test_the_import_page_needs_staff(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_existing_variant_keeps_its_sku(admin_client, make_product):
    product = make_product("wool-hat", name="Wool Hat", skus=["HAT-1"])
    variants = [
        {"id": str(v.pk), "sku": "RENAMED-1", "name": v.name, "attributes": "{}", "active": "on"}
        for v in product.variants.order_by("id")
    ]
    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", _product_form(product, variants))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Variant.objects.values_list("sku", flat=True)) == ["HAT-1"]
