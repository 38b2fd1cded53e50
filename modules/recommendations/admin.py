"""Admin of recommendations: the read model, read-only (it is learned from events; `recommendations rebuild` redoes it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from modules.recommendations.models import ProductPair, SeenProduct


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SeenProduct)
class SeenProductAdmin(ReadOnly):
    list_display = ("slug", "name", "category_path", "hidden")
    search_fields = ("slug", "name")


@admin.register(ProductPair)
class ProductPairAdmin(ReadOnly):
    list_display = ("product_id", "other_id", "orders", "score")
    list_filter = ()
