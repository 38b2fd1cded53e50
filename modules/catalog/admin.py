"""Back-office for the catalog: the category tree, products with variants and media, publishing and CSV import.

Status changes and discontinued variants go through ``services`` (never a
bare save), so the admin publishes the same events as every other path.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from contracts.errors import Conflict
from kernel.admin_import import CsvImportAdminMixin
from modules.catalog import services
from modules.catalog.cache import catalog_changed
from modules.catalog.imports.csv_import import catalog_import_csv
from modules.catalog.imports.rows import IMPORT_COLUMNS
from modules.catalog.models import Category, Product, ProductMedia, Variant


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("tree", "slug", "path", "product_count")
    search_fields = ("name", "slug", "path")
    ordering = ("path",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "parent")
    list_select_related = ("parent",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="category", ordering="path")
    def tree(self, category: Category) -> str:
        return "\u2003" * category.depth + ("└ " if category.depth else "") + category.name

    @admin.display(description="products", ordering="product_total")
    def product_count(self, category: Category) -> int:
        return category.product_total

    def save_model(self, request: HttpRequest, obj: Category, form: ModelForm, change: bool) -> None:
        services.category_save(category=obj)


class VariantForm(forms.ModelForm):
    """A variant row; an existing variant's SKU is shown but cannot be changed."""

    class Meta:
        model = Variant
        fields = ("sku", "name", "attributes", "weight_grams", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Prices, stock and orders refer to the SKU: renaming it would orphan them.
            self.fields["sku"].disabled = True


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantForm
    fields = ("sku", "name", "attributes", "weight_grams", "active")
    extra = 1
    # SKUs are referenced by prices, stock and orders: discontinue a variant, never delete it.
    can_delete = False


class ProductMediaInline(admin.TabularInline):
    model = ProductMedia
    fields = ("url", "alt", "position")
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Product)
class ProductAdmin(CsvImportAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "category_path", "status", "variant_count", "updated_at")
    list_filter = ("status", "category")
    search_fields = ("name", "slug", "variants__sku")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "category", "description", "attributes", "tax_class", "status", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = (VariantInline, ProductMediaInline)
    actions = ("publish_selected", "unpublish_selected")
    import_columns = ",".join(IMPORT_COLUMNS)
    import_title = "Import products from CSV"
    import_help = (
        "Rows are upserted by SKU and product slug; category is a slash path such as apparel/shirts, created when missing."
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).annotate(variant_total=Count("variants"))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would bypass the published check below; products are unpublished, then deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Product | None = None) -> bool:
        if obj is not None and obj.status == Product.Status.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="category", ordering="category__path")
    def category_path(self, product: Product) -> str:
        return str(product.category) if product.category is not None else "—"

    @admin.display(description="variants", ordering="variant_total")
    def variant_count(self, product: Product) -> int:
        return product.variant_total

    def save_model(self, request: HttpRequest, obj: Product, form: ModelForm, change: bool) -> None:
        # The status moves in save_related, through the services, once the variants are saved.
        stored = Product.objects.filter(pk=obj.pk).values_list("status", flat=True).first() if change else None
        obj.status = stored or Product.Status.DRAFT
        super().save_model(request, obj, form, change)
        catalog_changed(using=services.catalog_db())

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        super().delete_model(request, obj)
        catalog_changed(using=services.catalog_db())

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        catalog_changed(using=services.catalog_db())  # variant names and attributes, images: all shown by the storefront
        if formset.model is not Variant:
            super().save_formset(request, form, formset, change)
            return
        discontinued = [
            f.instance
            for f in formset.forms
            if f.instance.pk and "active" in f.changed_data and not f.cleaned_data.get("active")
        ]
        for variant in discontinued:
            variant.active = True  # variant_deactivate switches it off and publishes VariantDiscontinued
        super().save_formset(request, form, formset, change)
        for variant in discontinued:
            services.variant_deactivate(variant=variant)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        product = form.instance
        services.products_listed_refresh(product_ids=[product.pk])  # variants added, removed or switched back on
        wanted = form.cleaned_data.get("status")
        if wanted == Product.Status.PUBLISHED:
            try:
                services.product_publish(product=product)
            except Conflict as refused:
                self.message_user(request, f"Saved as a draft: {refused.detail}", messages.WARNING)
        elif wanted == Product.Status.DRAFT:
            services.product_unpublish(product=product)

    @admin.action(description="Publish selected products", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        published, refused = 0, []
        for product in queryset:
            try:
                published += services.product_publish(product=product)
            except Conflict:
                refused.append(product.slug)
        self.message_user(request, f"{published} product(s) published.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not published, no active variant: {', '.join(refused)}.", messages.WARNING)

    @admin.action(description="Unpublish selected products", permissions=["change"])
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        unpublished = sum(services.product_unpublish(product=product) for product in queryset)
        self.message_user(request, f"{unpublished} product(s) unpublished.", messages.SUCCESS)

    def import_run(self, *, text: str, dry_run: bool, request: HttpRequest) -> str:
        """Run the same import as ``manage.py import_catalog``."""
        report = catalog_import_csv(text=text, dry_run=dry_run)
        return str(report) if report.changed else f"nothing to change ({report.rows} rows)"
