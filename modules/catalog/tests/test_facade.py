"""The catalog contract as other modules call it."""

from __future__ import annotations

from contracts.catalog import VariantInfo
from contracts.container import services
from modules.catalog.facade import CatalogFacade
from modules.catalog.models import Product, Variant


def test_variants_get_returns_known_skus_in_one_query(make_product, tree, django_assert_num_queries):
    shirt = make_product("shirt", name="Oxford Shirt", skus=["S-1", "S-2"], category=tree.flannel, inactive=["S-2"])
    make_product("draft", skus=["D-1"], published=False)
    with django_assert_num_queries(1):
        found = CatalogFacade().variants_get(skus=["S-1", "S-2", "D-1", "NOPE", "S-1", ""])
    assert set(found) == {"S-1", "S-2", "D-1"}
    assert found["S-1"] == VariantInfo(
        sku="S-1",
        product_id=shirt.pk,
        product_slug="shirt",
        product_name="Oxford Shirt",
        variant_name="Variant S-1",
        category_path="apparel/shirts/flannel",
        published=True,
        active=True,
    )
    assert found["S-1"].sellable and not found["S-2"].sellable and not found["D-1"].sellable
    assert found["D-1"].category_path == ""


def test_variants_get_carries_each_variants_weight_and_its_products_tax_class(make_product):
    book = make_product("book", skus=["BOOK-1", "BOOK-2"])
    Product.objects.filter(pk=book.pk).update(tax_class="reduced")
    Variant.objects.filter(sku="BOOK-1").update(weight_grams=450)
    found = CatalogFacade().variants_get(skus=["BOOK-1", "BOOK-2"])
    assert (found["BOOK-1"].weight_grams, found["BOOK-1"].tax_class) == (450, "reduced")
    assert found["BOOK-2"].weight_grams is None  # unknown, never 0: a weight-based rate refuses it


def test_variants_get_of_nothing_asks_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert CatalogFacade().variants_get(skus=[]) == {}


def test_category_skus_get_covers_descendants(make_product, tree):
    make_product("coat", skus=["C-1"], category=tree.apparel)
    make_product("shirt", skus=["S-1", "S-2"], category=tree.shirts, inactive=["S-2"])
    make_product("flannel", skus=["F-1"], category=tree.flannel, published=False)
    make_product("mug", skus=["M-1"], category=tree.home)
    facade = CatalogFacade()
    assert facade.category_skus_get(slug="apparel") == frozenset({"C-1", "S-1", "S-2", "F-1"})
    assert facade.category_skus_get(slug="shirts") == frozenset({"S-1", "S-2", "F-1"})
    assert facade.category_skus_get(slug="home") == frozenset({"M-1"})
    assert facade.category_skus_get(slug="nope") == frozenset()


def test_the_container_serves_the_facade(db):
    assert isinstance(services().catalog, CatalogFacade)


def test_impossible_keys_are_simply_absent(make_product, django_assert_num_queries):
    make_product("shirt", skus=["S-1"])
    with django_assert_num_queries(1):
        assert set(CatalogFacade().variants_get(skus=["S-1", "bad\x00", "with space", "x" * 1000])) == {"S-1"}
    assert CatalogFacade().category_skus_get(slug="bad\x00") == frozenset()
