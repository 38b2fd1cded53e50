"""What the database holds for a file's keys, and the checks across rows and against it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kernel.batching import chunked
from kernel.imports import LineProblem
from modules.catalog.imports.rows import ImportRow, category_prefixes, row_problems, status_of
from modules.catalog.models import Category, Product, Variant


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredVariant:
    pk: int
    name: str
    product_slug: str


@dataclass(slots=True, kw_only=True)
class StoredProduct:
    pk: int
    slug: str
    name: str
    description: str
    category_id: int | None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Existing:
    """What the database already holds for the file's keys (plain values: no model instances to build)."""

    variants: dict[str, StoredVariant]
    products: dict[str, StoredProduct]
    categories: dict[str, Category]  # by slug
    active_skus: dict[str, set[str]]  # product slug -> SKUs of its active variants


def existing_load(rows: Sequence[ImportRow]) -> Existing:
    """Read what the database holds for the keys of ``rows``: a few queries per 500 keys."""
    skus = sorted({r.sku for r in rows})
    slugs = sorted({r.product_slug for r in rows})
    category_slugs = sorted({s for r in rows if r.category for s in r.category.split("/")})
    variants = {
        sku: StoredVariant(pk=pk, name=name, product_slug=product_slug)
        for chunk in chunked(skus)
        for pk, sku, name, product_slug in Variant.objects.filter(sku__in=chunk).values_list(
            "pk", "sku", "name", "product__slug"
        )
    }
    product_fields = ("pk", "slug", "name", "description", "category_id", "status")
    products = {
        values[1]: StoredProduct(**dict(zip(product_fields, values, strict=True)))
        for chunk in chunked(slugs)
        for values in Product.objects.filter(slug__in=chunk).values_list(*product_fields)
    }
    categories = {c.slug: c for chunk in chunked(category_slugs) for c in Category.objects.filter(slug__in=chunk)}
    active_skus: dict[str, set[str]] = {}
    for chunk in chunked(slugs):
        for slug, sku in Variant.objects.filter(product__slug__in=chunk, active=True).values_list(
            "product__slug", "sku"
        ):
            active_skus.setdefault(slug, set()).add(sku)
    return Existing(variants=variants, products=products, categories=categories, active_skus=active_skus)


def rows_validate(rows: Sequence[ImportRow]) -> tuple[list[LineProblem], Existing | None]:
    """Return every bad row of the file (each row once, with all its reasons) and the existing state."""
    problems: dict[int, list[str]] = {row.line: row_problems(row) for row in rows}
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
        if status_of(row) != status_of(first):
            problems[row.line].append(f"product {row.product_slug!r} has another status on line {first.line}")
        for path in category_prefixes(row.category) if row.category else []:
            slug = path.rsplit("/", 1)[-1]
            seen_path, seen_line = parent_of_category.setdefault(slug, (path, row.line))
            if seen_path != path:
                problems[row.line].append(f"category {slug!r} is at {seen_path!r} on line {seen_line}, not at {path!r}")
    existing = existing_load(sound) if sound else None
    if existing is not None:
        for row in sound:
            variant = existing.variants.get(row.sku)
            if variant is not None and variant.product_slug != row.product_slug:
                problems[row.line].append(f"sku {row.sku!r} belongs to product {variant.product_slug!r}")
            for path in category_prefixes(row.category) if row.category else []:
                category = existing.categories.get(path.rsplit("/", 1)[-1])
                if category is not None and category.path != path:
                    problems[row.line].append(f"category {category.slug!r} already exists at {category.path!r}")
        with_new_variants = {row.product_slug for row in sound if row.sku not in existing.variants}
        for slug, first in first_of_product.items():
            if status_of(first) != Product.Status.PUBLISHED:
                continue
            if slug not in with_new_variants and not existing.active_skus.get(slug):
                problems[first.line].append(f"product {slug!r} cannot be published: all its variants are discontinued")
    errors = [
        LineProblem(line=line, code="invalid_row", detail="; ".join(reasons)) for line, reasons in problems.items() if reasons
    ]
    return errors, existing
