"""Admin of customers: search by email and name, see their address books, deactivate (which revokes their tokens).

Passwords and tokens are never shown; staff cannot set a customer's password (a reset link is the way).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from contracts.container import services
from contracts.errors import ServiceUnavailable
from kernel.admin import action_log, permission_check
from modules.customers.models import Address, Customer
from modules.customers.services.accounts import customer_deactivate, customer_erase


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("name", "line1", "city", "postal_code", "country", "is_default_shipping", "is_default_billing")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "is_active", "email_confirmed_at", "created_at", "last_login")
    list_filter = ("is_active", "marketing_consent")
    search_fields = ("email", "first_name", "last_name")
    inlines = [AddressInline]
    actions = ["deactivate", "erase"]
    exclude = ("password", "token_generation")
    readonly_fields = [*(f.name for f in Customer._meta.fields if f.name not in ("password", "token_generation")), "orders"]

    @admin.display(description="Orders (from checkout)")
    def orders(self, customer: Customer) -> str:
        """The customer's orders as checkout tells them (its contract: this module never reads checkout's tables)."""
        try:
            records = services().checkout.personal_data_export(customer_id=customer.pk, email=customer.email).records
        except ServiceUnavailable:
            return "checkout is unavailable"
        if not records:
            return "none"
        rows = ((r.get("number", ""), r.get("status", ""), r.get("total", ""), r.get("currency", "")) for r in records)
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} — {} — {} {}</li>", rows))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # erasure is a flow of its own (every module forgets), not a row deletion

    has_deactivate_customer_permission = permission_check("deactivate_customer")

    @admin.action(description="Deactivate selected customers (signs them out everywhere)", permissions=["deactivate_customer"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        done = 0
        for customer in queryset:
            if customer_deactivate(customer_id=customer.pk):
                action_log(request=request, obj=customer, message="Deactivated; every token revoked")
                done += 1
        self.message_user(request, f"Deactivated {done} customer(s).", messages.SUCCESS)

    has_erase_customer_permission = permission_check("erase_customer")

    @admin.action(description="Erase selected customers (every module forgets them; cannot be undone)", permissions=["erase_customer"])
    def erase(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        done = 0
        for customer in queryset:
            if customer_erase(customer_id=customer.pk):
                action_log(request=request, obj=customer, message="Erased on request; every module told")
                done += 1
        self.message_user(request, f"Erased {done} customer(s).", messages.SUCCESS)
