"""Catalog tables: the category tree, products, their variants (SKUs) and media.

Invariants:
- a category's ``path`` is the slash-joined slugs from the root to it, so
  "this category and everything below it" is one indexed prefix lookup;
  ``services.category_save`` keeps the paths of a moved subtree right;
- a SKU is unique across the shop and never changes owner product;
- ``status`` only changes through ``services`` (which publish the events).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

# The SKU rule is every module's (contracts.common); the Variant field holds the catalog's SKUs to it.
from contracts.common import SKU_MAX_LENGTH, SKU_PATTERN
from contracts.taxes import TAX_CLASSES

SLUG_MAX_LENGTH = 100
CATEGORY_SLUG_MAX_LENGTH = 50
CATEGORY_PATH_MAX_LENGTH = 255
NAME_MAX_LENGTH = 200

# Lower-case letters and digits in hyphen-separated words: safe in URLs and paths.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z"

slug_validator = RegexValidator(
    SLUG_PATTERN,
    "Use lower-case letters, digits and single hyphens between words (no spaces).",
    code="invalid_slug",
)
sku_validator = RegexValidator(
    SKU_PATTERN,
    "Use letters, digits, '.', '_' or '-' (no spaces; starting and ending with a letter or digit).",
    code="invalid_sku",
)


class Category(models.Model):
    slug = models.CharField(max_length=CATEGORY_SLUG_MAX_LENGTH, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Maintained by services.category_save; never edited by hand.
    path = models.CharField(max_length=CATEGORY_PATH_MAX_LENGTH, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.path.replace("/", " › ") if self.path else self.slug

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def clean(self) -> None:
        if self.parent_id is None:
            return
        parent_path = self.parent.path
        if self.pk is not None and (
            self.parent_id == self.pk or parent_path == self.path or parent_path.startswith(self.path + "/")
        ):
            raise ValidationError({"parent": "A category cannot sit below itself or one of its sub-categories."})
        if len(parent_path) + 1 + len(self.slug) > CATEGORY_PATH_MAX_LENGTH:
            raise ValidationError({"parent": "The category tree would get too deep below this parent."})


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.CharField(max_length=SLUG_MAX_LENGTH, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # How the product is taxed (the taxes module holds each class's rate per country).
    tax_class = models.CharField(max_length=10, choices=[(c, c) for c in TAX_CLASSES], default="standard")
    # Shown by the storefront: published with at least one active variant. Kept by the services that change either
    # (services.products_listed_refresh), so a listing reads one indexed column instead of a join over every variant.
    listed = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "name"], name="catalog_product_status_name"),
            models.Index(fields=["status", "created_at"], name="catalog_product_status_created"),
            # The storefront's orderings over what it shows: a page is an index range, a count an index-only scan.
            models.Index(fields=["name", "id"], condition=models.Q(listed=True), name="catalog_product_listed_name"),
            models.Index(fields=["created_at", "id"], condition=models.Q(listed=True), name="catalog_product_listed_new"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.attributes, dict):
            raise ValidationError({"attributes": "Attributes must be a JSON object."})


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=SKU_MAX_LENGTH, unique=True, validators=[sku_validator])
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    attributes = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True, help_text="Inactive variants are discontinued: never shown or sold.")
    weight_grams = models.PositiveIntegerField(
        null=True, blank=True, help_text="Shipping weight in grams; empty when unknown (weight-based rates then refuse it)."
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["product", "active"], name="catalog_variant_product_active"),
            # "Has an active variant" (storefront visibility) probed per product without reading the table.
            models.Index(fields=["product"], condition=models.Q(active=True), name="catalog_variant_active_product"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} ({self.name})"

    def clean(self) -> None:
        if not isinstance(self.attributes, dict):
            raise ValidationError({"attributes": "Attributes must be a JSON object."})


class ProductMedia(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="media")
    url = models.URLField("image URL", max_length=500)
    alt = models.CharField("alt text", max_length=NAME_MAX_LENGTH, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "image"
        verbose_name_plural = "images"

    def __str__(self) -> str:
        return self.alt or self.url
