"""The rows of a catalog CSV file: reading them, and what is wrong with a row on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from contracts.common import SKU_MAX_LENGTH, SKU_RULE, sku_valid
from kernel.imports import LineProblem, csv_rows_read
from modules.catalog.models import (
    CATEGORY_PATH_MAX_LENGTH,
    CATEGORY_SLUG_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    Product,
)

IMPORT_COLUMNS = ("sku", "product_slug", "product_name", "variant_name", "category", "description", "status")
IMPORT_MAX_ROWS = 50_000
DESCRIPTION_MAX_LENGTH = 10_000


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


def category_prefixes(path: str) -> list[str]:
    """Return ``a``, ``a/b``, ``a/b/c`` for ``a/b/c``."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def rows_read(text: str) -> tuple[list[ImportRow], list[LineProblem]]:
    """Read the rows of a CSV text (header first, columns in any order); problems of the file's shape come back too."""
    records, problems = csv_rows_read(text, columns=IMPORT_COLUMNS, max_rows=IMPORT_MAX_ROWS)
    return [ImportRow(line=record.line, **record.values) for record in records], problems


def row_problems(row: ImportRow) -> list[str]:
    """Return what is wrong with ``row`` on its own."""
    problems = [f"{f.name} holds a NUL character" for f in fields(row) if "\x00" in str(getattr(row, f.name))]
    if not row.sku:
        problems.append("sku is required")
    elif len(row.sku) > SKU_MAX_LENGTH:
        problems.append(f"sku is longer than {SKU_MAX_LENGTH} characters")
    elif not sku_valid(row.sku):
        problems.append(f"sku {row.sku!r} must be {SKU_RULE}")
    if not row.product_slug:
        problems.append("product_slug is required")
    elif len(row.product_slug) > SLUG_MAX_LENGTH:
        problems.append(f"product_slug is longer than {SLUG_MAX_LENGTH} characters")
    elif not re.match(SLUG_PATTERN, row.product_slug):
        problems.append(f"product_slug {row.product_slug!r} may only hold lower-case letters, digits and hyphens")
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


def status_of(row: ImportRow) -> str | None:
    """Return the status asked for; ``None`` (blank) keeps an existing product's status, a new one is a draft."""
    return row.status.lower() or None
