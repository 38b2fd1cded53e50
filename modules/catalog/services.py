"""Catalog writes: every change of catalog state goes through here, under a transaction.

Events are published inside the same transaction as the change, so the
outbox row exists exactly when the change committed. Every change the
storefront shows also calls ``cache.catalog_changed`` (the response cache
hears it at once, before the event is delivered).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Length

from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from contracts.errors import Conflict, FieldProblem, InvalidInput
from contracts.events import publish
from kernel.batching import filtered_in
from kernel.transactions import atomic_for
from modules.catalog.cache import catalog_changed
from modules.catalog.models import CATEGORY_PATH_MAX_LENGTH, Category, Product, Variant


def catalog_db() -> str:
    """Return the database alias of the catalog's tables (the event outbox lives there too).

    Transactions open through ``kernel.transactions.atomic_for``; this alias is
    what ``cache.catalog_changed`` hooks its after-commit callback on.
    """
    return router.db_for_write(Product)


def _validated(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation and turn Django's error into a contract error."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = tuple(
            FieldProblem(
                field=field if field != "__all__" else "", code=e.code or "invalid", detail=" ".join(e.messages)
            )
            for field, errors in error.error_dict.items()
            for e in errors
        )
        raise InvalidInput("; ".join(f"{p.field or 'body'}: {p.detail}" for p in problems), errors=problems) from None


def _category_path_of(*, slug: str, parent: Category | None) -> str:
    return f"{parent.path}/{slug}" if parent is not None else slug


def category_save(*, category: Category) -> Category:
    """Validate and save ``category``, recomputing its path and the paths of its whole subtree.

    A moved or renamed category drags its descendants along, so ``path``
    prefix lookups (``category_skus_get``, the listing filter) stay exact.
    """
    with atomic_for(Category):
        old_path = None
        if category.pk is not None:
            old_path = Category.objects.filter(pk=category.pk).values_list("path", flat=True).first()
        parent = category.parent
        if (
            parent is not None
            and old_path is not None
            and (parent.path == old_path or parent.path.startswith(old_path + "/"))
        ):
            raise InvalidInput(
                "A category cannot sit below itself or one of its sub-categories.",
                code="category_cycle",
                errors=(FieldProblem(field="parent", code="category_cycle", detail="Choose another parent."),),
            )
        new_path = _category_path_of(slug=category.slug, parent=parent)
        if old_path is not None and old_path != new_path:
            longest = (
                Category.objects.filter(path__startswith=old_path + "/")
                .annotate(length=Length("path"))
                .aggregate(longest=models.Max("length"))["longest"]
            )
            if longest is not None and longest - len(old_path) + len(new_path) > CATEGORY_PATH_MAX_LENGTH:
                raise InvalidInput("The category tree would get too deep.", code="category_path_too_long")
        if len(new_path) > CATEGORY_PATH_MAX_LENGTH:
            raise InvalidInput("The category tree would get too deep.", code="category_path_too_long")
        category.path = new_path
        _validated(category)
        category.save()
        if old_path is not None and old_path != new_path:
            descendants = list(Category.objects.filter(path__startswith=old_path + "/"))
            for descendant in descendants:
                descendant.path = new_path + descendant.path[len(old_path) :]
            Category.objects.bulk_update(descendants, ["path"], batch_size=500)
        catalog_changed(using=catalog_db())
    return category


def category_create(*, slug: str, name: str, parent: Category | None = None) -> Category:
    """Create a category below ``parent`` (a root when ``None``)."""
    return category_save(category=Category(slug=slug, name=name, parent=parent))


def product_create(
    *,
    slug: str,
    name: str,
    description: str = "",
    category: Category | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Product:
    """Create a draft product; it becomes visible only through ``product_publish``."""
    product = Product(
        slug=slug,
        name=name,
        description=description,
        category=category,
        attributes=dict(attributes or {}),
        status=Product.Status.DRAFT,
    )
    with atomic_for(Product):
        _validated(product)
        product.save()
    return product


def variant_create(
    *, product: Product, sku: str, name: str, attributes: Mapping[str, Any] | None = None, active: bool = True
) -> Variant:
    """Add the variant ``sku`` to ``product``; the SKU is unique across the shop."""
    variant = Variant(product=product, sku=sku, name=name, attributes=dict(attributes or {}), active=active)
    with atomic_for(Product):
        _validated(variant)
        variant.save()
        products_listed_refresh(product_ids=[product.pk])
        catalog_changed(using=catalog_db())
    product.listed = product.listed or (active and product.status == Product.Status.PUBLISHED)
    return variant


def products_listed_refresh(*, product_ids: Iterable[int]) -> None:
    """Recompute ``Product.listed`` (published with an active variant) of ``product_ids``: one UPDATE per batch.

    Every write that changes a product's status or its variants' being active
    ends with this, in its transaction: the storefront lists exactly the rows
    it sets (``selectors.search.products_visible``).
    """
    sellable = Q(status=Product.Status.PUBLISHED) & Q(Exists(Variant.objects.filter(product_id=OuterRef("pk"), active=True)))
    listed = Case(When(sellable, then=Value(True)), default=Value(False))
    for batch in filtered_in(Product.objects.all(), field="pk", values=list(dict.fromkeys(product_ids))):
        batch.update(listed=listed)


def _skus_of(product: Product) -> tuple[str, ...]:
    return tuple(sorted(Variant.objects.filter(product=product).values_list("sku", flat=True)))


def _locked(product: Product) -> Product:
    return Product.objects.select_for_update().get(pk=product.pk)


def product_publish(*, product: Product) -> bool:
    """Make ``product`` visible in the storefront and publish ``ProductPublished``; return whether it changed.

    Publishing twice is a no-op (no second event). A product without an
    active variant cannot be sold, so publishing it is refused (``Conflict``).
    """
    with atomic_for(Product):
        locked = _locked(product)
        if locked.status == Product.Status.PUBLISHED:
            product.status = locked.status
            return False
        if not Variant.objects.filter(product=locked, active=True).exists():
            raise Conflict(
                f"Product {locked.slug!r} has no active variant, so it cannot be published.",
                code="no_active_variant",
                product=locked.slug,
            )
        locked.status = Product.Status.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        products_listed_refresh(product_ids=[locked.pk])
        publish(ProductPublished(product_id=locked.pk, slug=locked.slug, skus=_skus_of(locked)))
        catalog_changed(using=catalog_db())
    product.status, product.updated_at, product.listed = locked.status, locked.updated_at, True
    return True


def product_unpublish(*, product: Product) -> bool:
    """Hide ``product`` from the storefront and publish ``ProductUnpublished``; return whether it changed."""
    with atomic_for(Product):
        locked = _locked(product)
        if locked.status != Product.Status.PUBLISHED:
            product.status = locked.status
            return False
        locked.status = Product.Status.DRAFT
        locked.save(update_fields=["status", "updated_at"])
        products_listed_refresh(product_ids=[locked.pk])
        publish(ProductUnpublished(product_id=locked.pk, slug=locked.slug, skus=_skus_of(locked)))
        catalog_changed(using=catalog_db())
    product.status, product.updated_at, product.listed = locked.status, locked.updated_at, False
    return True


def variant_deactivate(*, variant: Variant) -> bool:
    """Discontinue ``variant`` and publish ``VariantDiscontinued``; return whether it changed.

    A discontinued variant is never shown or sold again; doing it twice is a no-op (no second event).
    """
    with atomic_for(Product):
        changed = Variant.objects.filter(pk=variant.pk, active=True).update(active=False)
        variant.active = False
        if changed:
            products_listed_refresh(product_ids=[variant.product_id])
            publish(VariantDiscontinued(sku=variant.sku, product_id=variant.product_id))
            catalog_changed(using=catalog_db())
    return bool(changed)
