"""Writing a validated file: categories, products, variants and statuses in bulk, with their events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from django.utils import timezone

from contracts.catalog import ProductPublished, ProductUnpublished
from contracts.events import publish_many
from kernel.batching import chunked
from modules.catalog import services
from modules.catalog.imports.bulk import bulk_set, insert, prepared
from modules.catalog.imports.rows import ImportRow, category_prefixes, status_of
from modules.catalog.imports.validation import Existing, StoredProduct
from modules.catalog.models import Category, Product, Variant
from modules.catalog.services import products_listed_refresh

DEFAULT_VARIANT_NAME = "Default"


@dataclass(kw_only=True)
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    categories_created: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    published: int = 0
    unpublished: int = 0

    @property
    def changed(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "rows")

    def __str__(self) -> str:
        return ", ".join(f"{f.name.replace('_', ' ')}: {getattr(self, f.name)}" for f in fields(self))


def _category_name(slug: str) -> str:
    return " ".join(word.capitalize() for word in slug.split("-"))


def categories_ensure(*, paths: set[str], existing: dict[str, Category], report: ImportReport) -> dict[str, Category]:
    """Return the category of each path, creating the missing ones parents first."""
    by_path = {c.path: c for c in existing.values()}
    for path in sorted({prefix for p in paths for prefix in category_prefixes(p)}, key=lambda p: (p.count("/"), p)):
        if path in by_path:
            continue
        parent_path, _, slug = path.rpartition("/")
        by_path[path] = services.category_create(
            slug=slug, name=_category_name(slug), parent=by_path[parent_path] if parent_path else None
        )
        report.categories_created += 1
    return by_path


def products_write(
    *, firsts: dict[str, ImportRow], existing: Existing, categories: dict[str, Category], report: ImportReport
) -> dict[str, StoredProduct]:
    """Create the new products (published at once when asked) and update the changed ones; return all by slug."""
    now = prepared(Product, "updated_at", timezone.now())
    attributes = prepared(Product, "attributes", {})
    products: dict[str, StoredProduct] = {}
    new: list[tuple[object, ...]] = []
    changed: list[tuple[object, ...]] = []
    for slug, row in firsts.items():
        category_id = categories[row.category].pk if row.category else None
        product = existing.products.get(slug)
        if product is None:
            status = Product.Status.PUBLISHED if status_of(row) == Product.Status.PUBLISHED else Product.Status.DRAFT
            new.append((slug, row.product_name, row.description, category_id, attributes, status, now, now))
        elif (product.name, product.description, product.category_id) != (row.product_name, row.description, category_id):
            product.name, product.description, product.category_id = row.product_name, row.description, category_id
            changed.append((product.pk, product.name, product.description, product.category_id))
            products[slug] = product
        else:
            products[slug] = product
    insert(Product, ("slug", "name", "description", "category_id", "attributes", "status", "created_at", "updated_at"), new)
    created = [values[0] for values in new]
    for chunk in chunked(created):
        for pk, slug, status in Product.objects.filter(slug__in=chunk).values_list("pk", "slug", "status"):
            row = firsts[slug]
            products[slug] = StoredProduct(
                pk=pk, slug=slug, name=row.product_name, description=row.description, category_id=None, status=status
            )
    bulk_set(
        Product,
        (("name", "TEXT"), ("description", "TEXT"), ("category_id", "BIGINT")),
        changed,
        same={"updated_at": now},
    )
    report.products_created, report.products_updated = len(new), len(changed)
    report.published += sum(values[5] == Product.Status.PUBLISHED for values in new)
    return products


def variants_write(
    *, rows: Sequence[ImportRow], existing: Existing, products: dict[str, StoredProduct], report: ImportReport
) -> None:
    """Create the new variants (active) and rename the changed ones; a blank name is ``Default``."""
    attributes = prepared(Variant, "attributes", {})
    new: list[tuple[object, ...]] = []
    renamed: list[tuple[int, str]] = []
    for row in rows:
        name = row.variant_name or DEFAULT_VARIANT_NAME
        variant = existing.variants.get(row.sku)
        if variant is None:
            new.append((products[row.product_slug].pk, row.sku, name, attributes, True))
        elif variant.name != name:
            renamed.append((variant.pk, name))
    insert(Variant, ("product_id", "sku", "name", "attributes", "active"), new)
    bulk_set(Variant, (("name", "TEXT"),), renamed)
    report.variants_created, report.variants_updated = len(new), len(renamed)


def statuses_write(
    *, firsts: dict[str, ImportRow], products: dict[str, StoredProduct], created: set[str], report: ImportReport
) -> None:
    """Publish or unpublish the existing products whose status the file changes; publish their events in file order.

    The products are locked first (as ``services.product_publish`` does), so
    a concurrent status change is seen; the new products were created with
    their status and only get their event here. Each event names every SKU of
    its product, as the services' events do.
    """
    wanted = {
        slug: status
        for slug, row in firsts.items()
        if (status := status_of(row)) is not None and slug not in created
    }
    current: dict[int, str] = {}
    ids = sorted(products[slug].pk for slug in wanted)
    for chunk in chunked(ids):
        current.update(Product.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "status"))
    moving = {
        slug: status for slug, status in wanted.items() if current.get(products[slug].pk, status) != status
    } | {slug: Product.Status.PUBLISHED for slug in created if products[slug].status == Product.Status.PUBLISHED}
    now = timezone.now()
    for status in (Product.Status.PUBLISHED, Product.Status.DRAFT):
        ids = [products[slug].pk for slug, s in moving.items() if s == status and slug not in created]
        for chunk in chunked(ids):
            Product.objects.filter(pk__in=chunk).update(status=status, updated_at=now)
    skus: dict[int, list[str]] = {}
    moving_ids = sorted(products[slug].pk for slug in moving)
    for chunk in chunked(moving_ids):
        for product_id, sku in Variant.objects.filter(product_id__in=chunk).values_list("product_id", "sku"):
            skus.setdefault(product_id, []).append(sku)
    events: list[ProductPublished | ProductUnpublished] = []
    for slug in firsts:
        if slug not in moving:
            continue
        product = products[slug]
        event = ProductPublished if moving[slug] == Product.Status.PUBLISHED else ProductUnpublished
        events.append(event(product_id=product.pk, slug=product.slug, skus=tuple(sorted(skus.get(product.pk, ())))))
        if slug not in created:
            if moving[slug] == Product.Status.PUBLISHED:
                report.published += 1
            else:
                report.unpublished += 1
    publish_many(events)


def rows_write(*, rows: Sequence[ImportRow], existing: Existing) -> ImportReport:
    """Write the validated ``rows`` in bulk: a few statements per 300 to 500 rows, the events in a few bulk writes."""
    report = ImportReport(rows=len(rows))
    categories = categories_ensure(
        paths={r.category for r in rows if r.category}, existing=existing.categories, report=report
    )
    firsts: dict[str, ImportRow] = {}
    for row in rows:
        firsts.setdefault(row.product_slug, row)
    products = products_write(firsts=firsts, existing=existing, categories=categories, report=report)
    variants_write(rows=rows, existing=existing, products=products, report=report)
    created = {slug for slug in firsts if slug not in existing.products}
    statuses_write(firsts=firsts, products=products, created=created, report=report)
    products_listed_refresh(product_ids=[product.pk for product in products.values()])
    return report
