"""Admin of payments: sessions read-only, refunds (full or partial) through a permissioned action that is logged."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from contracts.errors import ContractError
from kernel.admin import action_log, permission_check
from modules.payments.models import Payment, Refund
from modules.payments.services.settlement import refund_create


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=18, decimal_places=3, min_value=Decimal("0.001"), required=False,
        help_text="Leave empty to refund all that is left on each selected payment.",
    )
    reason = forms.CharField(max_length=500)


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("amount", "reason", "actor", "provider_refund_id", "status", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("session_id", "status", "amount", "currency", "amount_captured", "amount_refunded", "order_number", "created_at")
    list_filter = ("status", "provider", "currency")
    search_fields = ("session_id", "order_number", "intent_id")
    inlines = [RefundInline]
    actions = ["refund"]
    # Never the client secret, nor the cart's token (a bearer secret of the customer's cart).
    exclude = ("client_secret", "reference", "key")
    readonly_fields = [field.name for field in Payment._meta.fields if field.name not in ("client_secret", "reference", "key")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    has_refund_payment_permission = permission_check("refund_payment")

    @admin.action(description="Refund selected payments (all or part)", permissions=["refund_payment"])
    def refund(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse | None:
        form = RefundForm(request.POST if "apply" in request.POST else None)
        if "apply" not in request.POST or not form.is_valid():
            return TemplateResponse(
                request,
                "payments/refund.html",
                {**self.admin_site.each_context(request), "form": form, "payments": queryset, "opts": self.model._meta,
                 "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME},
            )
        done, failed = 0, []
        for payment in queryset:
            try:
                refund = refund_create(
                    payment=payment, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"], actor=request.user.get_username()
                )
                action_log(request=request, obj=payment, message=f"Refunded {refund.amount} {payment.currency}: {refund.reason}")
                done += 1
            except (ContractError, InvalidOperation) as error:
                failed.append(f"{payment.session_id}: {getattr(error, 'detail', error)}")
        if done:
            self.message_user(request, f"Refunded {done} payment(s).", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)
        return None
