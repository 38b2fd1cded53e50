"""Import products and variants from CSV: validate the whole file, then write all of it or nothing.

Columns: ``sku,product_slug,product_name,variant_name,category,description,status``.
Rows are upserted by SKU (the variant) and by product slug (the product);
``category`` is a slash path of category slugs, created when missing. A
second import of the same file finds nothing to change and writes nothing,
so no ``updated_at`` timestamp moves. Used by the ``import_catalog`` command
and the admin's import page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields

from django.db import connections, transaction
from django.utils import timezone

from contracts.catalog import ProductPublished, ProductUnpublished
from contracts.events import publish_many
from kernel.imports import LineProblem, csv_rows_read, problems_raise
from modules.catalog import services
from modules.catalog.cache import catalog_changed
from modules.catalog.models import (
    CATEGORY_PATH_MAX_LENGTH,
    CATEGORY_SLUG_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SKU_MAX_LENGTH,
    SKU_PATTERN,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    Category,
    Product,
    Variant,
)

IMPORT_COLUMNS = ("sku", "product_slug", "product_name", "variant_name", "category", "description", "status")
IMPORT_MAX_ROWS = 50_000
DESCRIPTION_MAX_LENGTH = 10_000
DEFAULT_VARIANT_NAME = "Default"
_LOOKUP_CHUNK = 500  # stays far below SQLite's limit of query parameters
_UPDATE_CHUNK = 300  # rows per UPDATE ... FROM (VALUES ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRow:
    """One data row of the file, values stripped; ``line`` is where it starts in the file (header = 1)."""

    line: int
    sku: str
    product_slug: str
    product_name: str
    variant_name: str = ""
    category: str = ""
    description: str = ""
    status: str = ""


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


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _LOOKUP_CHUNK):
        yield items[start : start + _LOOKUP_CHUNK]


def _category_name(slug: str) -> str:
    return " ".join(word.capitalize() for word in slug.split("-"))


def _category_prefixes(path: str) -> list[str]:
    """Return ``a``, ``a/b``, ``a/b/c`` for ``a/b/c``."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _csv_rows(text: str) -> tuple[list[ImportRow], list[LineProblem]]:
    """Read the rows of a CSV text (header first, columns in any order); problems of the file's shape come back too."""
    records, problems = csv_rows_read(text, columns=IMPORT_COLUMNS, max_rows=IMPORT_MAX_ROWS)
    return [ImportRow(line=record.line, **record.values) for record in records], problems


def _row_problems(row: ImportRow) -> list[str]:
    """Return what is wrong with ``row`` on its own."""
    problems = [f"{f.name} holds a NUL character" for f in fields(row) if "\x00" in str(getattr(row, f.name))]
    for column, value, max_length, pattern, allowed in (
        ("sku", row.sku, SKU_MAX_LENGTH, SKU_PATTERN, "letters, digits, '.', '_' and '-' (no spaces)"),
        ("product_slug", row.product_slug, SLUG_MAX_LENGTH, SLUG_PATTERN, "lower-case letters, digits and hyphens"),
    ):
        if not value:
            problems.append(f"{column} is required")
        elif len(value) > max_length:
            problems.append(f"{column} is longer than {max_length} characters")
        elif not re.match(pattern, value):
            problems.append(f"{column} {value!r} may only hold {allowed}")
    if not row.product_name:
        problems.append("product_name is required")
    for column, value, max_length in (
        ("product_name", row.product_name, NAME_MAX_LENGTH),
        ("variant_name", row.variant_name, NAME_MAX_LENGTH),
        ("description", row.description, DESCRIPTION_MAX_LENGTH),
    ):
        if len(value) > max_length:
            problems.append(f"{column} is longer than {max_length} characters")
    if row.status.lower() not in ("", Product.Status.DRAFT, Product.Status.PUBLISHED):
        problems.append(f"status {row.status!r} is not draft or published")
    if row.category:
        segments = row.category.split("/")
        if len(row.category) > CATEGORY_PATH_MAX_LENGTH:
            problems.append(f"category is longer than {CATEGORY_PATH_MAX_LENGTH} characters")
        elif not all(s and len(s) <= CATEGORY_SLUG_MAX_LENGTH and re.match(SLUG_PATTERN, s) for s in segments):
            problems.append(
                f"category {row.category!r} must be a slash path of slugs (lower-case letters, digits, hyphens; "
                f"at most {CATEGORY_SLUG_MAX_LENGTH} each), such as apparel/shirts"
            )
    return problems


def _status_of(row: ImportRow) -> str | None:
    """Return the status asked for; ``None`` (blank) keeps an existing product's status, a new one is a draft."""
    return row.status.lower() or None


@dataclass(frozen=True, slots=True, kw_only=True)
class _StoredVariant:
    pk: int
    name: str
    product_slug: str


@dataclass(slots=True, kw_only=True)
class _StoredProduct:
    pk: int
    slug: str
    name: str
    description: str
    category_id: int | None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Existing:
    """What the database already holds for the file's keys (plain values: no model instances to build)."""

    variants: dict[str, _StoredVariant]
    products: dict[str, _StoredProduct]
    categories: dict[str, Category]  # by slug
    active_skus: dict[str, set[str]]  # product slug -> SKUs of its active variants


def _existing_load(rows: Sequence[ImportRow]) -> _Existing:
    skus = sorted({r.sku for r in rows})
    slugs = sorted({r.product_slug for r in rows})
    category_slugs = sorted({s for r in rows if r.category for s in r.category.split("/")})
    variants = {
        sku: _StoredVariant(pk=pk, name=name, product_slug=product_slug)
        for chunk in _chunks(skus)
        for pk, sku, name, product_slug in Variant.objects.filter(sku__in=chunk).values_list(
            "pk", "sku", "name", "product__slug"
        )
    }
    product_fields = ("pk", "slug", "name", "description", "category_id", "status")
    products = {
        values[1]: _StoredProduct(**dict(zip(product_fields, values, strict=True)))
        for chunk in _chunks(slugs)
        for values in Product.objects.filter(slug__in=chunk).values_list(*product_fields)
    }
    categories = {c.slug: c for chunk in _chunks(category_slugs) for c in Category.objects.filter(slug__in=chunk)}
    active_skus: dict[str, set[str]] = {}
    for chunk in _chunks(slugs):
        for slug, sku in Variant.objects.filter(product__slug__in=chunk, active=True).values_list(
            "product__slug", "sku"
        ):
            active_skus.setdefault(slug, set()).add(sku)
    return _Existing(variants=variants, products=products, categories=categories, active_skus=active_skus)


def _rows_validate(rows: Sequence[ImportRow]) -> tuple[list[LineProblem], _Existing | None]:
    """Return every bad row of the file (each row once, with all its reasons) and the existing state."""
    problems: dict[int, list[str]] = {row.line: _row_problems(row) for row in rows}
    sound = [row for row in rows if not problems[row.line]]
    first_of_sku: dict[str, ImportRow] = {}
    first_of_product: dict[str, ImportRow] = {}
    parent_of_category: dict[str, tuple[str, int]] = {}  # slug -> (expected path, line)
    for row in sound:
        if row.sku in first_of_sku:
            problems[row.line].append(f"sku {row.sku!r} is already on line {first_of_sku[row.sku].line}")
        else:
            first_of_sku[row.sku] = row
        first = first_of_product.setdefault(row.product_slug, row)
        for column in ("product_name", "category", "description"):
            if getattr(row, column) != getattr(first, column):
                problems[row.line].append(f"product {row.product_slug!r} has another {column} on line {first.line}")
        if _status_of(row) != _status_of(first):
            problems[row.line].append(f"product {row.product_slug!r} has another status on line {first.line}")
        for path in _category_prefixes(row.category) if row.category else []:
            slug = path.rsplit("/", 1)[-1]
            seen_path, seen_line = parent_of_category.setdefault(slug, (path, row.line))
            if seen_path != path:
                problems[row.line].append(f"category {slug!r} is at {seen_path!r} on line {seen_line}, not at {path!r}")
    existing = _existing_load(sound) if sound else None
    if existing is not None:
        for row in sound:
            variant = existing.variants.get(row.sku)
            if variant is not None and variant.product_slug != row.product_slug:
                problems[row.line].append(f"sku {row.sku!r} belongs to product {variant.product_slug!r}")
            for path in _category_prefixes(row.category) if row.category else []:
                category = existing.categories.get(path.rsplit("/", 1)[-1])
                if category is not None and category.path != path:
                    problems[row.line].append(f"category {category.slug!r} already exists at {category.path!r}")
        with_new_variants = {row.product_slug for row in sound if row.sku not in existing.variants}
        for slug, first in first_of_product.items():
            if _status_of(first) != Product.Status.PUBLISHED:
                continue
            if slug not in with_new_variants and not existing.active_skus.get(slug):
                problems[first.line].append(f"product {slug!r} cannot be published: all its variants are discontinued")
    errors = [
        LineProblem(line=line, code="invalid_row", detail="; ".join(reasons)) for line, reasons in problems.items() if reasons
    ]
    return errors, existing


def _categories_ensure(*, paths: set[str], existing: dict[str, Category], report: ImportReport) -> dict[str, Category]:
    """Return the category of each path, creating the missing ones parents first."""
    by_path = {c.path: c for c in existing.values()}
    for path in sorted({prefix for p in paths for prefix in _category_prefixes(p)}, key=lambda p: (p.count("/"), p)):
        if path in by_path:
            continue
        parent_path, _, slug = path.rpartition("/")
        by_path[path] = services.category_create(
            slug=slug, name=_category_name(slug), parent=by_path[parent_path] if parent_path else None
        )
        report.categories_created += 1
    return by_path


def _bulk_set(
    model: type[Product] | type[Variant],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[object]],
    *,
    same: Mapping[str, object] | None = None,
) -> None:
    """Set ``columns`` (name, SQL type) of many rows by id: ``rows`` are ``(id, value, ...)``; 300 per statement.

    ``same`` sets columns to one value for every row (a timestamp).

    One ``UPDATE ... FROM (VALUES ...)`` per 300 rows instead of Django's
    ``bulk_update``, whose ``CASE`` per field and row cost most of an
    import's time. SQLite (3.33+) and PostgreSQL both name the columns of a
    ``VALUES`` list ``column1``, ``column2``...
    """
    connection = connections[services.catalog_db()]
    table = connection.ops.quote_name(model._meta.db_table)
    same = same or {}
    assignments = ", ".join(
        [f"{connection.ops.quote_name(name)} = v.column{n}" for n, (name, _) in enumerate(columns, start=2)]
        + [f"{connection.ops.quote_name(name)} = %s" for name in same]
    )
    placeholder = "(" + ", ".join(["CAST(%s AS BIGINT)", *(f"CAST(%s AS {sql})" for _, sql in columns)]) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPDATE_CHUNK):
            chunk = rows[start : start + _UPDATE_CHUNK]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([placeholder] * len(chunk))}) AS v "
                f"WHERE {table}.id = v.column1",
                [*same.values(), *(value for row in chunk for value in row)],
            )


def _insert(model: type[Product] | type[Variant], columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Insert ``rows`` (values of ``columns``, ready for the database), 300 per ``INSERT``.

    Django's ``bulk_create`` spent most of an import preparing each value of
    each row; here a constant (a JSON ``{}``, a timestamp) is prepared once.
    Every other column of the model gets its field's default, prepared once,
    so a field added later needs no change here.
    """
    connection = connections[services.catalog_db()]
    now = timezone.now()
    others = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in columns and not field.has_db_default()
    ]
    defaults = [
        field.get_db_prep_save(
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default(),
            connection=connection,
        )
        for field in others
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in [*columns, *(field.column for field in others)])
    placeholder = "(" + ", ".join(["%s"] * (len(columns) + len(others))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPDATE_CHUNK):
            chunk = rows[start : start + _UPDATE_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(chunk))}",
                [value for row in chunk for value in (*row, *defaults)],
            )


def _prepared(model: type[Product] | type[Variant], field: str, value: object) -> object:
    return model._meta.get_field(field).get_db_prep_save(value, connection=connections[services.catalog_db()])


def _products_write(
    *, firsts: dict[str, ImportRow], existing: _Existing, categories: dict[str, Category], report: ImportReport
) -> dict[str, _StoredProduct]:
    """Create the new products (published at once when asked) and update the changed ones; return all by slug."""
    now = _prepared(Product, "updated_at", timezone.now())
    attributes = _prepared(Product, "attributes", {})
    products: dict[str, _StoredProduct] = {}
    new: list[tuple[object, ...]] = []
    changed: list[tuple[object, ...]] = []
    for slug, row in firsts.items():
        category_id = categories[row.category].pk if row.category else None
        product = existing.products.get(slug)
        if product is None:
            status = Product.Status.PUBLISHED if _status_of(row) == Product.Status.PUBLISHED else Product.Status.DRAFT
            new.append((slug, row.product_name, row.description, category_id, attributes, status, now, now))
        elif (product.name, product.description, product.category_id) != (row.product_name, row.description, category_id):
            product.name, product.description, product.category_id = row.product_name, row.description, category_id
            changed.append((product.pk, product.name, product.description, product.category_id))
            products[slug] = product
        else:
            products[slug] = product
    _insert(Product, ("slug", "name", "description", "category_id", "attributes", "status", "created_at", "updated_at"), new)
    created = [values[0] for values in new]
    for chunk in _chunks(created):
        for pk, slug, status in Product.objects.filter(slug__in=chunk).values_list("pk", "slug", "status"):
            row = firsts[slug]
            products[slug] = _StoredProduct(
                pk=pk, slug=slug, name=row.product_name, description=row.description, category_id=None, status=status
            )
    _bulk_set(
        Product,
        (("name", "TEXT"), ("description", "TEXT"), ("category_id", "BIGINT")),
        changed,
        same={"updated_at": now},
    )
    report.products_created, report.products_updated = len(new), len(changed)
    report.published += sum(values[5] == Product.Status.PUBLISHED for values in new)
    return products


def _variants_write(
    *, rows: Sequence[ImportRow], existing: _Existing, products: dict[str, _StoredProduct], report: ImportReport
) -> None:
    attributes = _prepared(Variant, "attributes", {})
    new: list[tuple[object, ...]] = []
    renamed: list[tuple[int, str]] = []
    for row in rows:
        name = row.variant_name or DEFAULT_VARIANT_NAME
        variant = existing.variants.get(row.sku)
        if variant is None:
            new.append((products[row.product_slug].pk, row.sku, name, attributes, True))
        elif variant.name != name:
            renamed.append((variant.pk, name))
    _insert(Variant, ("product_id", "sku", "name", "attributes", "active"), new)
    _bulk_set(Variant, (("name", "TEXT"),), renamed)
    report.variants_created, report.variants_updated = len(new), len(renamed)


def _statuses_write(
    *, firsts: dict[str, ImportRow], products: dict[str, _StoredProduct], created: set[str], report: ImportReport
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
        if (status := _status_of(row)) is not None and slug not in created
    }
    current: dict[int, str] = {}
    ids = sorted(products[slug].pk for slug in wanted)
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        current.update(
            Product.objects.select_for_update().filter(pk__in=ids[start : start + _LOOKUP_CHUNK]).values_list("pk", "status")
        )
    moving = {
        slug: status for slug, status in wanted.items() if current.get(products[slug].pk, status) != status
    } | {slug: Product.Status.PUBLISHED for slug in created if products[slug].status == Product.Status.PUBLISHED}
    now = timezone.now()
    for status in (Product.Status.PUBLISHED, Product.Status.DRAFT):
        ids = [products[slug].pk for slug, s in moving.items() if s == status and slug not in created]
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            Product.objects.filter(pk__in=ids[start : start + _LOOKUP_CHUNK]).update(status=status, updated_at=now)
    skus: dict[int, list[str]] = {}
    moving_ids = sorted(products[slug].pk for slug in moving)
    for start in range(0, len(moving_ids), _LOOKUP_CHUNK):
        for product_id, sku in Variant.objects.filter(product_id__in=moving_ids[start : start + _LOOKUP_CHUNK]).values_list(
            "product_id", "sku"
        ):
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


def _rows_write(*, rows: Sequence[ImportRow], existing: _Existing) -> ImportReport:
    """Write the validated ``rows`` in bulk: a few statements per 300 to 500 rows, the events in a few bulk writes."""
    report = ImportReport(rows=len(rows))
    categories = _categories_ensure(
        paths={r.category for r in rows if r.category}, existing=existing.categories, report=report
    )
    firsts: dict[str, ImportRow] = {}
    for row in rows:
        firsts.setdefault(row.product_slug, row)
    products = _products_write(firsts=firsts, existing=existing, categories=categories, report=report)
    _variants_write(rows=rows, existing=existing, products=products, report=report)
    created = {slug for slug in firsts if slug not in existing.products}
    _statuses_write(firsts=firsts, products=products, created=created, report=report)
    return report


def catalog_import_csv(*, text: str, dry_run: bool = False) -> ImportReport:
    """Validate every row of a CSV text (header first), then upsert them all in one transaction.

    ``ImportInvalid`` (``import_invalid``) writes nothing. A dry run does the
    whole import and rolls it back, so its report (and its validation) is
    exactly what a real run would do. A change the storefront shows (names,
    descriptions, categories, variants) moves its cache's generation.
    """
    rows, problems = _csv_rows(text)
    using = services.catalog_db()
    with transaction.atomic(using=using):
        row_problems, existing = _rows_validate(rows)
        problems_raise([*problems, *row_problems])
        if existing is None:
            return ImportReport()
        report = _rows_write(rows=rows, existing=existing)
        if dry_run:
            transaction.set_rollback(True, using=using)
        elif report.changed:
            catalog_changed(using=using)
    return report
