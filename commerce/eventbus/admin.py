"""Admin for the outbox: see what was published, what was delivered, and fix what died."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from commerce.eventbus.models import Delivery, DeliveryAttempt, InboxEntry, OutboxEvent
from commerce.eventbus.services.operations import delivery_replay, delivery_retry
from kernel.admin import action_log, permission_check


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("subscriber", "state", "attempts", "next_attempt_at", "delivered_at", "last_error")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "publisher", "event_id", "created_at")
    list_filter = ("name", "publisher")
    search_fields = ("event_id", "name")
    readonly_fields = ("event_id", "name", "version", "publisher", "payload", "created_at")
    inlines = [DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "error")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "subscriber", "state", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("state", "subscriber", "event__name")
    search_fields = ("event__event_id", "subscriber")
    readonly_fields = ("event", "subscriber", "state", "attempts", "last_error", "next_attempt_at", "delivered_at")
    inlines = [DeliveryAttemptInline]
    actions = ["retry", "replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    has_retry_delivery_permission = permission_check("retry_delivery")
    has_replay_delivery_permission = permission_check("replay_delivery")

    @admin.action(description="Retry the selected dead or retrying deliveries now", permissions=["retry_delivery"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        deliveries = list(queryset.exclude(state=Delivery.State.DELIVERED))
        for delivery in deliveries:
            delivery_retry(delivery_id=delivery.pk, alias=queryset.db)
            action_log(request=request, obj=delivery, message="Retried through the admin action.")
        self.message_user(request, f"Retried {len(deliveries)} deliveries.", messages.SUCCESS)

    @admin.action(
        description="Replay: apply the event to its subscriber again (forgets the inbox entry)", permissions=["replay_delivery"]
    )
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        deliveries = list(queryset)
        for delivery in deliveries:
            delivery_replay(delivery_id=delivery.pk, alias=queryset.db)
            action_log(request=request, obj=delivery, message="Replayed through the admin action.")
        self.message_user(request, f"Replayed {len(deliveries)} deliveries.", messages.SUCCESS)


@admin.register(InboxEntry)
class InboxEntryAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "event_id", "processed_at")
    list_filter = ("subscriber",)
    search_fields = ("event_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
