"""Admin of the inventory module: on-hand changes only through forms that write a ledger row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from contracts.errors import ContractError
from kernel.admin_import import CsvImportAdminMixin
from kernel.csv_export import csv_response
from modules.inventory import selectors
from modules.inventory.models import (
    SKU_MAX_LENGTH,
    LowStockThreshold,
    Reservation,
    ReservationLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from modules.inventory.services.imports import stock_import
from modules.inventory.services.movements import stock_move

MOVE_PERMISSION = "inventory.add_stockmovement"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "priority", "active"]
    list_editable = ["priority", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


@admin.register(LowStockThreshold)
class LowStockThresholdAdmin(admin.ModelAdmin):
    list_display = ["sku", "threshold"]
    search_fields = ["sku"]


class StockMoveForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=SKU_MAX_LENGTH)
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.all(), to_field_name="code")
    kind = forms.ChoiceField(
        choices=[(StockMovement.Kind.RECEIPT, "Receipt (goods in)"), (StockMovement.Kind.ADJUSTMENT, "Adjustment (±)")]
    )
    quantity = forms.IntegerField(help_text="A receipt is positive; an adjustment may be negative.")
    reason = forms.CharField(max_length=200, required=False)


@admin.register(StockLevel)
class StockLevelAdmin(CsvImportAdminMixin, ReadOnlyAdmin):
    change_list_template = "admin/inventory/stocklevel/change_list.html"
    import_columns = "sku,warehouse,on_hand"
    import_title = "Import stock levels"
    import_help = (
        "Each row sets the on-hand of a SKU in a warehouse through a ledger row of kind import; every SKU must be in "
        "the catalog. Importing the same file again changes nothing."
    )
    list_display = ["sku", "warehouse", "on_hand", "available_here", "actions_links"]
    actions = ["export_csv"]
    list_filter = ["warehouse"]
    list_select_related = ["warehouse"]
    search_fields = ["sku"]
    fields = ["sku", "warehouse", "on_hand", "available_here", "actions_links"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockLevel]:
        # One query for the page: what active reservations hold here, next to each row.
        return super().get_queryset(request).annotate(held=selectors.held_subquery(now=timezone.now()))

    @admin.action(description="Export selected stock levels as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[StockLevel]) -> StreamingHttpResponse:
        """The same file as ``manage.py export stock``, for the selected levels (select all for every one)."""
        return csv_response(
            filename=f"stock-{timezone.now():%Y%m%d-%H%M%S}.csv", header=selectors.STOCK_EXPORT_HEADER,
            rows=selectors.stock_export_rows(levels=queryset.model.objects.filter(pk__in=queryset.values("pk"))),
        )

    @admin.display(description="free here")
    def available_here(self, level: StockLevel) -> int:
        return max(level.on_hand - level.held, 0)

    @admin.display(description="")
    def actions_links(self, level: StockLevel) -> str:
        move = reverse("admin:inventory_stocklevel_move") + "?" + urlencode(
            {"sku": level.sku, "warehouse": level.warehouse.code}
        )
        ledger = reverse("admin:inventory_stockmovement_changelist") + "?" + urlencode(
            {"sku": level.sku, "warehouse__id__exact": level.warehouse_id}
        )
        return format_html('<a href="{}">Receive or adjust</a> · <a href="{}">Ledger</a>', move, ledger)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("move/", self.admin_site.admin_view(self.move_view), name="inventory_stocklevel_move"),
            *super().get_urls(),
        ]

    def _page(self, request: HttpRequest, *, title: str, form: forms.Form, **extra: Any) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, "form": form}
        return TemplateResponse(request, "admin/inventory/stocklevel/form.html", {**context, **extra})

    def move_view(self, request: HttpRequest) -> HttpResponse:
        """Receive or adjust stock: writes one ledger row; on-hand follows it."""
        if not request.user.has_perm(MOVE_PERMISSION):
            raise PermissionDenied
        form = StockMoveForm(request.POST or None, initial=request.GET.dict())
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                movement = stock_move(
                    sku=data["sku"],
                    warehouse_code=data["warehouse"].code,
                    kind=data["kind"],
                    quantity=data["quantity"],
                    reason=data["reason"],
                    actor=request.user.get_username(),
                )
            except ContractError as error:
                for problem in getattr(error, "errors", ()) or ():
                    form.add_error(problem.field if problem.field in form.fields else None, problem.detail)
                if not form.errors:
                    form.add_error(None, error.detail)
            else:
                self.message_user(request, f"Recorded: {movement}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:inventory_stocklevel_changelist") + f"?q={movement.sku}")
        return self._page(request, title="Receive or adjust stock", form=form)

    def import_allowed(self, request: HttpRequest) -> bool:
        """Who may receive or adjust stock may import it."""
        return request.user.has_perm(MOVE_PERMISSION)

    def import_run(self, *, text: str, dry_run: bool, request: HttpRequest) -> str:
        """Run the same import as ``manage.py import_stock``, recorded in the ledger as this user's."""
        result = stock_import(
            text=text, source=f"admin:{request.FILES['file'].name}", actor=request.user.get_username(), dry_run=dry_run
        )
        return f"{result.rows} rows, {result.changed} levels changed ({result.movements} ledger rows)"


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "sku", "warehouse", "quantity", "reason", "reference", "actor"]
    list_filter = ["kind", "warehouse", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["warehouse"]
    search_fields = ["sku", "reference"]
    date_hierarchy = "created_at"

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # ``?sku=`` comes from the stock level links: an exact match, unlike the search box.
        return lookup == "sku" or super().lookup_allowed(lookup, value, request)


class ReservationStateFilter(admin.SimpleListFilter):
    """State as a person means it: a hold past its time is expired even before the beat task says so."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Reservation.State.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Reservation]) -> QuerySet[Reservation]:
        if self.value() in Reservation.State.values:
            return queryset & selectors.reservations_in_state(state=self.value())
        return queryset


class ReservationLineInline(admin.TabularInline):
    model = ReservationLine
    fields = ["sku", "warehouse", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "state_now", "expires_at", "order_number", "created_at", "returned_at"]
    list_filter = [ReservationStateFilter]
    search_fields = ["reference", "order_number"]
    inlines = [ReservationLineInline]
    fields = ["reference", "state_now", "expires_at", "order_number", "created_at", "updated_at", "returned_at"]
    readonly_fields = fields

    @admin.display(description="state")
    def state_now(self, reservation: Reservation) -> str:
        return reservation.state_at(timezone.now())
