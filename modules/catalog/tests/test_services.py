"""Catalog writes: validation, the category tree, publishing and its events."""

from __future__ import annotations

import pytest

from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from contracts.errors import Conflict, InvalidInput
from modules.catalog import services
from modules.catalog.models import Category, Product, Variant


@pytest.mark.parametrize("slug", ["with space", "UPPER", "-lead", "trail-", "double--hyphen", "a/b", "x" * 101, ""])
def test_product_slugs_are_validated(db, slug):
    with pytest.raises(InvalidInput) as caught:
        services.product_create(slug=slug, name="Thing")
    assert [e.field for e in caught.value.errors] == ["slug"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("sku", ["HAS SPACE", "tab\tsku", "-LEAD", "TRAIL.", "é-1", "A" * 65, "a/b", ""])
def test_skus_are_validated(make_product, sku):
    product = make_product("shirt", published=False)
    with pytest.raises(InvalidInput) as caught:
        services.variant_create(product=product, sku=sku, name="x")
    assert [e.field for e in caught.value.errors] == ["sku"]


def test_skus_are_unique_across_the_shop(make_product):
    make_product("shirt", skus=["SKU-1"])
    other = make_product("mug", skus=["MUG-1"])
    with pytest.raises(InvalidInput) as caught:
        services.variant_create(product=other, sku="SKU-1", name="dup")
    assert caught.value.errors[0].field == "sku"
    assert Variant.objects.filter(sku="SKU-1").count() == 1


@pytest.mark.parametrize("sku", ["SHIRT-BLUE-XL", "sku_1.2", "A", "0042"])
def test_good_skus_are_accepted(make_product, sku):
    product = make_product("shirt", skus=["S-1"])
    assert services.variant_create(product=product, sku=sku, name="ok").sku == sku


def test_category_paths_follow_moves_and_renames(tree):
    tree.shirts.parent = tree.home
    services.category_save(category=tree.shirts)
    assert Category.objects.get(slug="flannel").path == "home/shirts/flannel"
    tree.shirts.refresh_from_db()
    tree.shirts.slug = "tops"
    services.category_save(category=tree.shirts)
    assert sorted(Category.objects.values_list("path", flat=True)) == [
        "apparel",
        "home",
        "home/tops",
        "home/tops/flannel",
    ]


def test_a_category_cannot_move_below_itself(tree):
    tree.apparel.parent = tree.flannel
    with pytest.raises(InvalidInput) as caught:
        services.category_save(category=tree.apparel)
    assert caught.value.code == "category_cycle"
    assert Category.objects.get(slug="flannel").path == "apparel/shirts/flannel"


def test_category_slugs_are_unique_shop_wide(tree):
    with pytest.raises(InvalidInput):
        services.category_create(slug="shirts", name="Shirts", parent=tree.home)


def test_publish_and_unpublish_publish_events_once(make_product, received, django_capture_on_commit_callbacks):
    product = make_product("shirt", skus=["S-2", "S-1"], published=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.product_publish(product=product) is True
        assert services.product_publish(product=product) is False  # already published: no second event
    assert product.status == Product.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.product_unpublish(product=product) is True
        assert services.product_unpublish(product=product) is False
    assert [type(e) for e in received] == [ProductPublished, ProductUnpublished]
    assert received[0].product_id == product.pk and received[0].slug == "shirt" and received[0].skus == ("S-1", "S-2")
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT


def test_a_product_without_an_active_variant_cannot_be_published(
    make_product, received, django_capture_on_commit_callbacks
):
    product = make_product("shirt", skus=["S-1"], inactive=["S-1"], published=False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as caught:
        services.product_publish(product=product)
    assert caught.value.code == "no_active_variant"
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT
    assert received == []


def test_deactivating_a_variant_publishes_variant_discontinued_once(
    make_product, received, django_capture_on_commit_callbacks
):
    product = make_product("shirt", skus=["S-1", "S-2"])
    variant = product.variants.get(sku="S-1")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.variant_deactivate(variant=variant) is True
        assert services.variant_deactivate(variant=variant) is False
    assert received == [
        VariantDiscontinued(
            sku="S-1", product_id=product.pk, event_id=received[0].event_id, occurred_at=received[0].occurred_at
        )
    ]
    assert not Variant.objects.get(sku="S-1").active


def test_events_roll_back_with_the_change(make_product, received, django_capture_on_commit_callbacks):
    from django.db import transaction

    product = make_product("shirt", published=False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.product_publish(product=product)
        raise RuntimeError("later step fails")
    assert received == []
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT
