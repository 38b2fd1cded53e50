"""Admin of shipping: zones with their areas, methods with their rate bands, and the rate import.

Plain admin edits checked by each model's ``clean()`` (bands may not
overlap, countries and regions must exist); shipping publishes no events.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kernel.admin_import import CsvImportAdminMixin
from kernel.money import money_column
from modules.shipping.imports import shipping_rates_import
from modules.shipping.models import ShippingMethod, ShippingRate, ShippingZone, ShippingZoneArea


class ShippingZoneAreaInline(admin.TabularInline):
    model = ShippingZoneArea
    extra = 1


class ShippingMethodInline(admin.TabularInline):
    model = ShippingMethod
    fields = ("code", "name", "carrier", "basis", "active")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "areas_list")
    search_fields = ("name", "areas__country")
    inlines = [ShippingZoneAreaInline, ShippingMethodInline]

    @admin.display(description="areas")
    def areas_list(self, zone: ShippingZone) -> str:
        return ", ".join(str(area) for area in zone.areas.all())

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("areas")


class ShippingRateInline(admin.TabularInline):
    model = ShippingRate
    fields = ("currency", "lower", "upper", "price", "free_above")
    extra = 1


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "carrier", "zone", "basis", "delivery_days_min", "delivery_days_max", "active")
    list_filter = ("active", "basis", "zone")
    search_fields = ("code", "name", "carrier")
    list_select_related = ("zone",)
    inlines = [ShippingRateInline]


@admin.register(ShippingRate)
class ShippingRateAdmin(CsvImportAdminMixin, admin.ModelAdmin):
    list_display = (
        "method",
        "currency",
        "lower",
        "upper",
        money_column("price"),
        money_column("free_above", description="free above"),
    )
    list_filter = ("currency", "method__zone")
    search_fields = ("method__code", "method__name")
    list_select_related = ("method",)
    change_list_template = "admin/shipping/shippingrate/change_list.html"
    import_columns = "method,currency,lower,upper,price[,free_above]"
    import_title = "Import shipping rates"
    import_help = (
        "A header row is optional; method is a method's code; lower is included, upper excluded (blank: no limit), "
        "in the method's basis (an amount, or grams). For each method and currency in the file, its bands replace "
        "the stored ones; importing the same file again changes nothing."
    )

    def import_run(self, *, text: str, dry_run: bool, request: HttpRequest) -> str:
        result = shipping_rates_import(text=text, dry_run=dry_run)
        return f"{result.bands} band(s) of {result.methods} method(s), {result.replaced} replaced"
