"""Admin for orders (frozen, acted on only through the services) and carts (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from contracts.errors import ContractError
from kernel.admin import action_log, permission_check
from kernel.csv_export import csv_response
from kernel.money import money_column
from modules.checkout.models import Cart, CartLine, Order, OrderLine
from modules.checkout.selectors import ORDER_EXPORT_HEADER, orders_export_rows
from modules.checkout.services.orders import order_cancel, order_fulfil


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _order_currency(line: OrderLine) -> str:
    return line.order.currency


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "sku", "name", "quantity", money_column("unit_price", currency=_order_currency, description="unit price"),
        money_column("discount", currency=_order_currency), money_column("total", currency=_order_currency),
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("order")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "email", money_column("total"), "created_at")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter), "currency")
    search_fields = ("number", "email")
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    actions = ["mark_fulfilled", "cancel", "export_csv"]
    readonly_fields = (
        "number", "status", "email", "currency", money_column("subtotal"),
        money_column("discount_total", description="discount total"), money_column("total"), "voucher_code",
        "shipping_address", "customer_id", "cart_token", "created_at", "updated_at", "payment_session",
    )
    # Amounts are shown as money by the columns above, never as the stored decimals.
    exclude = ("access_token_hash", "amount_places", "subtotal", "discount_total", "total")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    has_cancel_order_permission = permission_check("cancel_order")
    has_fulfil_order_permission = permission_check("fulfil_order")

    def _run(self, request: HttpRequest, queryset: QuerySet[Order], action: object, verb: str) -> None:
        done, failed = 0, []
        for order in queryset:
            try:
                action(number=order.number)
                action_log(request=request, obj=order, message=f"{verb} through the admin action.")
                done += 1
            except ContractError as error:
                failed.append(f"{order.number}: {error.detail}")
        if done:
            self.message_user(request, f"{verb} {done} order(s).", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description="Mark selected paid orders fulfilled", permissions=["fulfil_order"])
    def mark_fulfilled(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run(request, queryset, order_fulfil, "Fulfilled")

    @admin.action(
        description="Cancel selected orders (stock returns, voucher released, payment cancelled or refunded)",
        permissions=["cancel_order"],
    )
    def cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run(request, queryset, order_cancel, "Cancelled")

    @admin.action(description="Export selected orders with their lines as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Order]) -> StreamingHttpResponse:
        """The same file as ``manage.py export orders``, for the selected orders (select all for every one)."""
        return csv_response(
            filename=f"orders-{timezone.now():%Y%m%d-%H%M%S}.csv", header=ORDER_EXPORT_HEADER,
            rows=orders_export_rows(orders=queryset),
        )


class CartLineInline(ReadOnlyInline):
    model = CartLine
    fields = ("sku", "quantity", "created_at")
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("short_token", "status", "currency", "voucher_code", "order_number", "updated_at")
    list_filter = ("status", "currency")
    search_fields = ("order_number", "token")
    inlines = [CartLineInline]
    exclude = ("token",)

    @admin.display(description="token")
    def short_token(self, cart: Cart) -> str:
        return f"{cart.token[:8]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # open carts are purged by age; completed ones belong to their orders
