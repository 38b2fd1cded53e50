"""Admin of pricing: base prices (with CSV import), price lists, promotions, vouchers and their uses.

Base prices and price lists (with their items) are saved and deleted
through ``services`` and ``price_lists`` so that every change of what a SKU
sells at publishes ``PriceChanged``; promotions and vouchers change no
listed price and are plain admin edits checked by their ``clean()``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from contracts.money import ISO_MINOR_UNITS
from kernel.admin_import import CsvImportAdminMixin
from kernel.money import money_column, money_display
from modules.pricing import imports, price_lists, services
from modules.pricing.models import DiscountKind, Price, PriceList, PriceListItem, Promotion, Voucher, VoucherRedemption


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.SHOP_CURRENCIES]


class CurrencyFormMixin(forms.ModelForm):
    """A currency picked from ``SHOP_CURRENCIES`` instead of typed; stored amounts shown in its minor units."""

    AMOUNT_FIELDS = ("amount", "compare_at", "min_subtotal")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = ISO_MINOR_UNITS.get(getattr(self.instance, "currency", "") or "")
        if places is not None and self.instance.pk:
            # "8.000" is stored; "8.00" EUR (or "800" JPY) is what the input shows. Exact: clean() allows no more decimals.
            amounts = [*self.AMOUNT_FIELDS, *(("value",) if getattr(self.instance, "kind", None) == DiscountKind.FIXED else ())]
            for name in amounts:
                if isinstance(self.initial.get(name), Decimal):
                    self.initial[name] = self.initial[name].quantize(Decimal(1).scaleb(-places))
        if "currency" in self.fields:
            required = self.fields["currency"].required
            blank = [] if required else [("", "---------")]
            self.fields["currency"] = forms.ChoiceField(
                choices=blank + _currency_choices(), required=required, help_text=self.fields["currency"].help_text
            )


@admin.register(Price)
class PriceAdmin(CsvImportAdminMixin, admin.ModelAdmin):
    form = CurrencyFormMixin
    list_display = ("sku", "currency", money_column("amount"), money_column("compare_at", description="compare at"), "updated_at")
    list_filter = ("currency",)
    search_fields = ("sku",)
    change_list_template = "admin/pricing/price/change_list.html"
    import_columns = "sku,currency,amount[,compare_at]"
    import_title = "Import prices"
    import_help = (
        "A header row is optional; every SKU must be in the catalog. Prices not in the file are left as they are; "
        "importing the same file again changes nothing."
    )
    import_max_bytes = 20 * 1024 * 1024

    def get_readonly_fields(self, request: HttpRequest, obj: Price | None = None) -> tuple[str, ...]:
        # The SKU and currency are the price's identity: another key is another price.
        return ("sku", "currency") if obj else ()

    def save_model(self, request: HttpRequest, obj: Price, form: Any, change: bool) -> None:
        saved = services.price_set(sku=obj.sku, currency=obj.currency, amount=obj.amount, compare_at=obj.compare_at)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Price) -> None:
        services.price_remove(sku=obj.sku, currency=obj.currency)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Price]) -> None:
        for sku, currency in queryset.values_list("sku", "currency"):
            services.price_remove(sku=sku, currency=currency)

    def import_run(self, *, text: str, dry_run: bool, request: HttpRequest) -> str:
        """Run the same import as ``manage.py import_prices``."""
        result = imports.prices_import(text=text, dry_run=dry_run)
        return f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    form = CurrencyFormMixin
    extra = 1


def _discount_display(kind: str, value: Any, currency: str) -> str:
    """A percentage reads ``10 %``; a fixed amount reads like money (``5.00 EUR``)."""
    if kind == DiscountKind.PERCENTAGE:
        return f"{value.normalize():f} %" if value is not None else money_display(None, None)
    return money_display(value, currency)


@admin.display(description="discount", ordering="value")
def discount_column(obj: Promotion | Voucher) -> str:
    return _discount_display(obj.kind, obj.value, obj.currency or "")


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    """Price lists with their items, saved and deleted through ``price_lists`` so that repricing publishes events.

    The list itself is written in ``save_related``, together with the items
    of the inline, so one service call sees the prices before and after.
    """

    list_display = ("name", "priority", "valid_from", "valid_until", "active")
    list_filter = ("active",)
    search_fields = ("name", "items__sku")
    inlines = (PriceListItemInline,)

    def save_model(self, request: HttpRequest, obj: PriceList, form: Any, change: bool) -> None:
        pass  # written with its items in save_related

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        items: list[PriceListItem] = []
        removed: list[PriceListItem] = []
        for formset in formsets:
            items.extend(formset.save(commit=False))
            removed.extend(formset.deleted_objects)
        price_lists.price_list_save(price_list=form.instance, items=items, removed=removed)

    def delete_model(self, request: HttpRequest, obj: PriceList) -> None:
        price_lists.price_list_delete(price_list=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PriceList]) -> None:
        for price_list in queryset:
            price_lists.price_list_delete(price_list=price_list)


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = CurrencyFormMixin
    list_display = (
        "name", "kind", discount_column, money_column("min_subtotal", description="from subtotal"), "target",
        "valid_from", "valid_until", "active",
    )
    list_filter = ("active", "kind", "target")
    search_fields = ("name", "category_slug")


class VoucherRedemptionInline(admin.TabularInline):
    model = VoucherRedemption
    fields = ("reference", "email", "state", "created_at", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    form = CurrencyFormMixin
    list_display = (
        "code", "kind", discount_column, money_column("min_subtotal", description="from subtotal"), "times_used",
        "usage_limit", "valid_until", "active",
    )
    list_filter = ("active", "kind")
    search_fields = ("code", "redemptions__reference", "redemptions__email")
    readonly_fields = ("times_used",)
    inlines = (VoucherRedemptionInline,)
