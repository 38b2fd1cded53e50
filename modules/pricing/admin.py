"""Admin of pricing: base prices (with CSV import), price lists, promotions, vouchers and their uses.

Base prices and price lists (with their items) are saved and deleted
through ``services`` and ``price_lists`` so that every change of what a SKU
sells at publishes ``PriceChanged``; promotions and vouchers change no
listed price and are plain admin edits checked by their ``clean()``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from contracts.errors import ContractError
from kernel.csv_upload import CsvUploadForm
from modules.pricing import imports, price_lists, services
from modules.pricing.models import Price, PriceList, PriceListItem, Promotion, Voucher, VoucherRedemption



class PriceImportForm(CsvUploadForm):
    columns = "sku,currency,amount[,compare_at]"
    max_bytes = 20 * 1024 * 1024


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.SHOP_CURRENCIES]


class CurrencyFormMixin(forms.ModelForm):
    """A currency picked from ``SHOP_CURRENCIES`` instead of typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:
            required = self.fields["currency"].required
            blank = [] if required else [("", "---------")]
            self.fields["currency"] = forms.ChoiceField(
                choices=blank + _currency_choices(), required=required, help_text=self.fields["currency"].help_text
            )


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    form = CurrencyFormMixin
    list_display = ("sku", "currency", "amount", "compare_at", "updated")
    list_filter = ("currency",)
    search_fields = ("sku",)
    change_list_template = "admin/pricing/price/change_list.html"

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

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="pricing_price_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of prices; on any bad line nothing is imported and the first bad lines are shown with their count."""
        if not self.has_change_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        problems: tuple[Any, ...] = ()
        form = PriceImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = imports.prices_import(text=form.cleaned_data["file"])
            except ContractError as exc:
                problems = getattr(exc, "errors", ()) or ({"field": "file", "detail": exc.detail},)
                self.message_user(request, exc.detail, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Prices imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:pricing_price_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import prices",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/pricing/price/import.html", context)


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    form = CurrencyFormMixin
    extra = 1


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
    list_display = ("name", "kind", "value", "currency", "target", "valid_from", "valid_until", "active")
    list_filter = ("active", "kind", "target")
    search_fields = ("name", "category_slug")


class VoucherRedemptionInline(admin.TabularInline):
    model = VoucherRedemption
    fields = ("reference", "email", "state", "created", "updated")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    form = CurrencyFormMixin
    list_display = ("code", "kind", "value", "currency", "times_used", "usage_limit", "valid_until", "active")
    list_filter = ("active", "kind")
    search_fields = ("code", "redemptions__reference", "redemptions__email")
    readonly_fields = ("times_used",)
    inlines = (VoucherRedemptionInline,)
