"""CSV import: upsert, all-or-nothing, per-line errors, idempotence; the command and its exit code."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contracts.catalog import ProductPublished, ProductUnpublished
from contracts.common import SKU_RULE
from kernel.imports import ImportInvalid
from modules.catalog.imports.csv_import import catalog_import_csv
from modules.catalog.models import Category, Product, Variant

HEADER = "sku,product_slug,product_name,variant_name,category,description,status\n"
GOOD = HEADER + (
    "OX-S,oxford-shirt,Oxford Shirt,Small,apparel/shirts,Crisp cotton,published\n"
    "OX-M,oxford-shirt,Oxford Shirt,Medium,apparel/shirts,Crisp cotton,published\n"
    'MUG-1,mug,Stoneware Mug,,home/kitchen,"Holds coffee, tea",draft\n'
)


def state() -> list[tuple]:
    return sorted(
        Variant.objects.values_list(
            "sku",
            "name",
            "active",
            "product__slug",
            "product__name",
            "product__description",
            "product__status",
            "product__category__path",
            "product__updated_at",
        )
    )


def test_import_creates_categories_products_and_variants(db, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = catalog_import_csv(text=GOOD)
    assert (report.rows, report.categories_created, report.products_created, report.variants_created) == (3, 4, 2, 3)
    assert report.published == 1
    assert list(Category.objects.values_list("path", "name")) == [
        ("apparel", "Apparel"),
        ("apparel/shirts", "Shirts"),
        ("home", "Home"),
        ("home/kitchen", "Kitchen"),
    ]
    oxford = Product.objects.get(slug="oxford-shirt")
    assert oxford.status == "published" and oxford.category.path == "apparel/shirts"
    assert list(oxford.variants.values_list("sku", "name")) == [("OX-S", "Small"), ("OX-M", "Medium")]
    mug = Product.objects.get(slug="mug")
    assert mug.status == "draft" and mug.description == "Holds coffee, tea"
    assert mug.variants.get().name == "Default"
    assert [(type(e), e.slug, e.skus) for e in received] == [(ProductPublished, "oxford-shirt", ("OX-M", "OX-S"))]


def test_reimporting_the_same_file_changes_nothing(db):
    catalog_import_csv(text=GOOD)
    before = state()
    report = catalog_import_csv(text=GOOD)
    assert not report.changed and report.rows == 3
    assert state() == before  # not even an ``updated_at`` timestamp moved


def test_import_upserts_by_sku_and_product_slug(db, received, django_capture_on_commit_callbacks):
    catalog_import_csv(text=GOOD)
    mug_updated = Product.objects.get(slug="mug").updated_at
    changed = HEADER + (
        "OX-S,oxford-shirt,Oxford Shirt Slim,Small,apparel/shirts/oxford,Crisp cotton,draft\n"
        "OX-L,oxford-shirt,Oxford Shirt Slim,Large,apparel/shirts/oxford,Crisp cotton,draft\n"
        'MUG-1,mug,Stoneware Mug,Standard,home/kitchen,"Holds coffee, tea",\n'
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = catalog_import_csv(text=changed)
    assert (report.products_created, report.products_updated, report.variants_created, report.variants_updated) == (
        0,
        1,
        1,
        1,  # OX-S keeps its name; MUG-1 is renamed
    )
    assert report.categories_created == 1 and report.unpublished == 1
    oxford = Product.objects.get(slug="oxford-shirt")
    assert (oxford.name, oxford.status, oxford.category.path) == ("Oxford Shirt Slim", "draft", "apparel/shirts/oxford")
    assert sorted(oxford.variants.values_list("sku", flat=True)) == ["OX-L", "OX-M", "OX-S"]  # OX-M is kept
    mug = Product.objects.get(slug="mug")
    assert mug.variants.get().name == "Standard"
    assert mug.updated_at == mug_updated  # only the variant changed; blank status keeps draft
    assert [type(e) for e in received] == [ProductUnpublished]
    assert Product.objects.count() == 2


def test_one_bad_row_means_nothing_is_written_and_every_bad_row_is_reported(db):
    text = HEADER + (
        "OK-1,fine,Fine Thing,,apparel,,published\n"
        "BAD SKU,fine,Fine Thing,,apparel,,published\n"
        "OK-2,Bad Slug,Fine Thing,,apparel,,published\n"
        "OK-3,other,,,apparel,,published\n"
        "OK-4,other2,Other,,apparel//x,,maybe\n"
        "OK-1,fine,Fine Thing,,apparel,,published\n"
        "OK-5,fine,Another Name,,apparel,,published\n"
        "OK-6,too,Few\n"
        "OK-7,nul,Nul\x00Name,,,,draft\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=text)
    errors = {e.line: e.detail for e in caught.value.problems}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "sku 'BAD SKU'" in errors[3]
    assert "product_slug 'Bad Slug'" in errors[4]
    assert "product_name is required" in errors[5]
    assert "category" in errors[6] and "status 'maybe'" in errors[6]  # every reason of a row
    assert "already on line 2" in errors[7]
    assert "another product_name on line 2" in errors[8]
    assert "expected 7 columns, found 3" in errors[9]
    assert "product_name holds a NUL character" in errors[10]
    assert not Product.objects.exists() and not Category.objects.exists() and not Variant.objects.exists()
    assert caught.value.errors[0].field == "line 3"


def test_rows_that_clash_with_the_database_are_refused(db, make_product, tree):
    make_product("shirt", skus=["TAKEN"], category=tree.shirts)
    make_product("gone", skus=["GONE-1"], inactive=["GONE-1"], published=False)
    text = HEADER + (
        "TAKEN,mug,Mug,,home,,draft\nNEW-1,thing,Thing,,home/shirts,,draft\nGONE-1,gone,Gone,,,,published\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=text)
    errors = {e.line: e.detail for e in caught.value.problems}
    assert "belongs to product 'shirt'" in errors[2]
    assert "category 'shirts' already exists at 'apparel/shirts'" in errors[3]
    assert "cannot be published" in errors[4]
    assert not Product.objects.filter(slug__in=["mug", "thing"]).exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("sku,product_slug\nA,b\n", "missing columns: product_name"),
        (HEADER.strip() + ",price\n", "unknown columns: price"),
    ],
)
def test_a_bad_header_is_reported_on_line_1(db, text, reason):
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=text)
    [error] = caught.value.problems
    assert error.line == 1 and reason in error.detail


def test_line_numbers_count_multi_line_cells(db):
    text = HEADER + 'A-1,a,A,,,"two\nlines",draft\nBAD SKU,b,B,,,,draft\n'
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=text)
    assert [e.line for e in caught.value.problems] == [4]


def test_dry_run_writes_nothing(db):
    report = catalog_import_csv(text=GOOD, dry_run=True)
    assert report.products_created == 2
    assert not Product.objects.exists() and not Category.objects.exists()


def test_command_imports_a_file(db, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("\ufeff" + GOOD, encoding="utf-8")  # Excel's byte order mark is fine
    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out)
    assert "products created: 2" in out.getvalue()
    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out)
    assert "nothing to change" in out.getvalue()


def test_command_reports_every_bad_line_and_fails(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "BAD SKU,a,A,,,,draft\nOK-1,b,B,,,,draft\nOK-2,c,,,,,draft\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 problem\(s\); nothing was imported"):
        call_command("import_catalog", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}: line 2: ") and lines[1].startswith(f"{path}: line 4: ")
    assert lines[0].endswith("[invalid_row]")
    assert not Product.objects.exists()


def test_command_exit_code_is_non_zero(db, tmp_path):
    from django.core.management import ManagementUtility

    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "BAD SKU,a,A,,,,draft\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_catalog", str(path)]).execute()
    assert exited.value.code != 0


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read"), (b"\xff\xfe\x00bad", "not UTF-8")])
def test_command_refuses_unreadable_files(db, tmp_path, content, message):
    path = tmp_path / "x.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_catalog", str(path))


def test_existing_products_are_updated_published_and_unpublished_in_bulk(
    db, make_product, tree, received, django_capture_on_commit_callbacks
):
    make_product("shirt", name="Shirt", skus=["SH-1", "SH-2"], category=tree.shirts, published=False)
    make_product("mug", name="Mug", skus=["MUG-1"], published=True)
    text = HEADER + (
        "SH-1,shirt,Shirt Slim,Small,apparel/shirts/flannel,Warm,published\n"  # SH-2 is not in the file
        "MUG-1,mug,Mug,Big,,,draft\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = catalog_import_csv(text=text)
    assert (report.products_updated, report.variants_updated, report.published, report.unpublished) == (1, 2, 1, 1)
    shirt = Product.objects.get(slug="shirt")
    assert (shirt.name, shirt.description, shirt.category.path, shirt.status) == (
        "Shirt Slim",
        "Warm",
        "apparel/shirts/flannel",
        "published",
    )
    assert Variant.objects.get(sku="SH-1").name == "Small" and Variant.objects.get(sku="MUG-1").name == "Big"
    assert Product.objects.get(slug="mug").status == "draft"
    assert [(type(e), e.slug, e.skus) for e in received] == [
        (ProductPublished, "shirt", ("SH-1", "SH-2")),  # every SKU of the product, as the services publish
        (ProductUnpublished, "mug", ("MUG-1",)),
    ]
    assert not catalog_import_csv(text=text).changed


def _many_rows(count: int, *, status: str = "published") -> str:
    return HEADER + "".join(
        f"SKU-{n:05d},prod-{n // 3:05d},Product {n // 3},V{n % 3},cat-{n // 3 % 4}/sub-{n // 3 % 4},,{status}\n"
        for n in range(count)
    )


def test_a_big_import_runs_a_bounded_number_of_statements(db, django_assert_max_num_queries):
    # Budget, 900 rows (300 products): lookups 1 per 500 keys (4), 8 categories created through the service (about
    # 5 statements each), inserts (SQLite caps a statement's parameters: up to 10 for products, 8 for variants),
    # variant SKUs of the published products (1), and the 300 ProductPublished in bulk (publish_many: a savepoint,
    # a few inserts of events and of deliveries, the release): 64 measured, none of them per product.
    with django_assert_max_num_queries(80):
        report = catalog_import_csv(text=_many_rows(900))
    assert (report.products_created, report.variants_created, report.published) == (300, 900, 300)
    variant = Variant.objects.select_related("product").get(sku="SKU-00004")
    assert (variant.attributes, variant.active, variant.product.attributes, variant.product.slug) == ({}, True, {}, "prod-00001")
    assert variant.product.created_at == variant.product.updated_at and variant.product.status == "published"
    renamed = _many_rows(900).replace(",V", ",W").replace("Product ", "Item ")
    # Now: lookups, 1 lock per 500 products, 1 update per 300 products and per 300 variants, no event.
    with django_assert_max_num_queries(20):
        report = catalog_import_csv(text=renamed)
    assert (report.products_updated, report.variants_updated, report.published) == (300, 900, 0)
    assert Product.objects.filter(name__startswith="Item ").count() == 300


def test_a_file_of_many_bad_rows_lists_the_first_50_and_counts_all(db, tmp_path, admin_client):
    text = HEADER + "".join(f"BAD SKU {n},p,P,,,,draft\n" for n in range(120))
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=text)
    assert len(caught.value.problems) == 120 and caught.value.code == "import_invalid"
    assert len(caught.value.errors) == 50 and caught.value.extra["problem_count"] == 120
    assert "first 50 are listed" in caught.value.detail

    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"120 problem\(s\)"):
        call_command("import_catalog", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 51 and lines[-1] == f"{path}: ... and 70 more problem(s)"

    upload = io.BytesIO(text.encode())
    upload.name = "bad.csv"
    response = admin_client.post("/admin/catalog/product/import/", {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "120 problem(s)" in body and "The first 50 are listed." in body and "70 more" in body
    assert body.count("<tr><td>") == 50
    assert not Product.objects.exists()


def test_columns_may_come_in_any_order_and_the_command_has_a_dry_run(db, tmp_path):
    reordered = "status,sku,product_name,product_slug,variant_name,category,description\ndraft,S-1,Shirt,shirt,,,\n"
    path = tmp_path / "c.csv"
    path.write_text(reordered, encoding="utf-8")
    out = io.StringIO()
    call_command("import_catalog", str(path), "--dry-run", stdout=out)
    assert "dry run, nothing written: " in out.getvalue() and "products created: 1" in out.getvalue()
    assert not Product.objects.exists()
    assert catalog_import_csv(text=reordered).products_created == 1


def test_a_file_over_the_row_limit_is_refused_at_the_first_row_too_many(db, monkeypatch):
    monkeypatch.setattr("modules.catalog.imports.rows.IMPORT_MAX_ROWS", 2)
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=GOOD)
    [problem] = caught.value.problems
    assert (problem.line, problem.code) == (4, "too_many_rows")
    assert not Product.objects.exists()


def test_skus_are_held_to_the_one_sku_rule_of_every_module(db):
    text = HEADER + "-OX,oxford-shirt,Oxford Shirt,,,,\nOX S,oxford-shirt,Oxford Shirt,,,,\nOX.1,oxford-shirt,Oxford Shirt,,,,\n"
    with pytest.raises(ImportInvalid) as caught:
        catalog_import_csv(text=text)
    assert [(p.line, p.detail) for p in caught.value.problems] == [
        (2, f"sku '-OX' must be {SKU_RULE}"),
        (3, f"sku 'OX S' must be {SKU_RULE}"),
    ]
    assert not Product.objects.exists()
