"""Import products and variants from CSV: validate the whole file, then write all of it or nothing.

Columns: ``sku,product_slug,product_name,variant_name,category,description,status``.
Rows are upserted by SKU (the variant) and by product slug (the product);
``category`` is a slash path of category slugs, created when missing. A
second import of the same file finds nothing to change and writes nothing,
so no ``updated`` timestamp moves. Used by the ``import_catalog`` command
and the admin's import page.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields

from django.db import transaction

from contracts.errors import FieldProblem, InvalidInput
from modules.catalog import services
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


@dataclass(frozen=True, slots=True, kw_only=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class CatalogImportInvalid(InvalidInput):
    """The file has bad rows and nothing was imported; ``line_errors`` gives each with its line and reason."""

    code = "catalog_import_invalid"

    def __init__(self, *, line_errors: Sequence[LineError]) -> None:
        ordered = tuple(sorted(line_errors, key=lambda e: e.line))
        super().__init__(
            f"{len(ordered)} bad row(s); nothing was imported.",
            errors=tuple(FieldProblem(field=f"line {e.line}", code="invalid_row", detail=e.reason) for e in ordered),
        )
        self.line_errors = ordered


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


def _csv_rows(text: str) -> tuple[list[ImportRow], list[LineError]]:
    """Read the rows of a CSV text; structural problems become line errors."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], [
            LineError(
                line=1, reason="the file is empty; the first line must be the header: " + ",".join(IMPORT_COLUMNS)
            )
        ]
    except csv.Error as error:
        return [], [LineError(line=1, reason=f"unreadable header: {error}")]
    missing = [name for name in IMPORT_COLUMNS if name not in header]
    unknown = sorted({name for name in header if name not in IMPORT_COLUMNS})
    repeated = sorted({name for name in header if header.count(name) > 1})
    header_problems = [
        f"{label}: {', '.join(names)}"
        for label, names in (("missing columns", missing), ("unknown columns", unknown), ("repeated columns", repeated))
        if names
    ]
    if header_problems:
        return [], [LineError(line=1, reason="; ".join(header_problems) + f" (expected {','.join(IMPORT_COLUMNS)})")]
    rows: list[ImportRow] = []
    errors: list[LineError] = []
    next_line = reader.line_num + 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                errors.append(LineError(line=line, reason=f"expected {len(header)} columns, found {len(record)}"))
                continue
            rows.append(ImportRow(line=line, **{name: cell.strip() for name, cell in zip(header, record, strict=True)}))
    except csv.Error as error:
        errors.append(LineError(line=next_line, reason=f"unreadable CSV from here on: {error}"))
    return rows, errors


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
class _Existing:
    """What the database already holds for the file's keys."""

    variants: dict[str, Variant]
    products: dict[str, Product]
    categories: dict[str, Category]  # by slug
    active_skus: dict[str, set[str]]  # product slug -> SKUs of its active variants


def _existing_load(rows: Sequence[ImportRow]) -> _Existing:
    skus = sorted({r.sku for r in rows})
    slugs = sorted({r.product_slug for r in rows})
    category_slugs = sorted({s for r in rows if r.category for s in r.category.split("/")})
    variants = {
        v.sku: v for chunk in _chunks(skus) for v in Variant.objects.filter(sku__in=chunk).select_related("product")
    }
    products = {
        p.slug: p for chunk in _chunks(slugs) for p in Product.objects.filter(slug__in=chunk).select_related("category")
    }
    categories = {c.slug: c for chunk in _chunks(category_slugs) for c in Category.objects.filter(slug__in=chunk)}
    active_skus: dict[str, set[str]] = {}
    for chunk in _chunks(slugs):
        for slug, sku in Variant.objects.filter(product__slug__in=chunk, active=True).values_list(
            "product__slug", "sku"
        ):
            active_skus.setdefault(slug, set()).add(sku)
    return _Existing(variants=variants, products=products, categories=categories, active_skus=active_skus)


def _rows_validate(rows: Sequence[ImportRow]) -> tuple[list[LineError], _Existing | None]:
    """Return every bad row of the file (each row once, with all its reasons) and the existing state."""
    problems: dict[int, list[str]] = {row.line: _row_problems(row) for row in rows}
    if len(rows) > IMPORT_MAX_ROWS:
        problems[rows[IMPORT_MAX_ROWS].line].append(f"the file has more than {IMPORT_MAX_ROWS} rows; split it")
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
            if variant is not None and variant.product.slug != row.product_slug:
                problems[row.line].append(f"sku {row.sku!r} belongs to product {variant.product.slug!r}")
            for path in _category_prefixes(row.category) if row.category else []:
                category = existing.categories.get(path.rsplit("/", 1)[-1])
                if category is not None and category.path != path:
                    problems[row.line].append(f"category {category.slug!r} already exists at {category.path!r}")
        for slug, first in first_of_product.items():
            if _status_of(first) != Product.Status.PUBLISHED:
                continue
            new_skus = {r.sku for r in sound if r.product_slug == slug and r.sku not in existing.variants}
            if not new_skus and not existing.active_skus.get(slug):
                problems[first.line].append(f"product {slug!r} cannot be published: all its variants are discontinued")
    errors = [LineError(line=line, reason="; ".join(reasons)) for line, reasons in problems.items() if reasons]
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


def _rows_write(*, rows: Sequence[ImportRow], existing: _Existing) -> ImportReport:
    report = ImportReport(rows=len(rows))
    categories = _categories_ensure(
        paths={r.category for r in rows if r.category}, existing=existing.categories, report=report
    )
    products: dict[str, Product] = {}
    for row in rows:
        if row.product_slug in products:
            continue
        category = categories[row.category] if row.category else None
        product = existing.products.get(row.product_slug)
        if product is None:
            product = services.product_create(
                slug=row.product_slug, name=row.product_name, description=row.description, category=category
            )
            report.products_created += 1
        else:
            wanted = {
                "name": row.product_name,
                "description": row.description,
                "category_id": category.pk if category else None,
            }
            changed = [name for name, value in wanted.items() if getattr(product, name) != value]
            if changed:
                for name in changed:
                    setattr(product, name, wanted[name])
                product.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated"])
                report.products_updated += 1
        products[row.product_slug] = product
    new_variants = []
    for row in rows:
        name = row.variant_name or DEFAULT_VARIANT_NAME
        variant = existing.variants.get(row.sku)
        if variant is None:
            new_variants.append(Variant(product=products[row.product_slug], sku=row.sku, name=name))
        elif variant.name != name:
            variant.name = name
            variant.save(update_fields=["name"])
            report.variants_updated += 1
    Variant.objects.bulk_create(new_variants, batch_size=_LOOKUP_CHUNK)
    report.variants_created = len(new_variants)
    for row in rows:
        product = products.pop(row.product_slug, None)
        if product is None:
            continue
        status = _status_of(row)
        if status == Product.Status.PUBLISHED:
            report.published += services.product_publish(product=product)
        elif status == Product.Status.DRAFT:
            report.unpublished += services.product_unpublish(product=product)
    return report


def catalog_import(*, rows: Sequence[ImportRow], dry_run: bool = False) -> ImportReport:
    """Validate every row, then upsert them all in one transaction; ``CatalogImportInvalid`` writes nothing.

    A dry run does the whole import and rolls it back, so its report (and
    its validation) is exactly what a real run would do.
    """
    return _import(rows=rows, errors=[], dry_run=dry_run)


def catalog_import_csv(*, text: str, dry_run: bool = False) -> ImportReport:
    """Import a CSV text (header first); see ``catalog_import``."""
    rows, errors = _csv_rows(text)
    return _import(rows=rows, errors=errors, dry_run=dry_run)


def _import(*, rows: Sequence[ImportRow], errors: list[LineError], dry_run: bool) -> ImportReport:
    with transaction.atomic(using=services.catalog_db()):
        row_errors, existing = _rows_validate(rows)
        if errors or row_errors:
            raise CatalogImportInvalid(line_errors=errors + row_errors)
        if existing is None:
            return ImportReport()
        report = _rows_write(rows=rows, existing=existing)
        if dry_run:
            transaction.set_rollback(True, using=services.catalog_db())
    return report
