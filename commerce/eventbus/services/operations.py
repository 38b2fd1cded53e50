"""An operator's actions on a delivery: retry it, or replay its event on purpose."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from commerce.eventbus.models import Delivery, InboxEntry
from commerce.eventbus.services import dispatch
from commerce.eventbus.services.routing import REMOTE_PREFIX, lease_end
from commerce.routers import module_database


def delivery_retry(*, delivery_id: int, alias: str = "default") -> None:
    """Bring a dead (or retrying) delivery back and dispatch it now; the inbox still prevents a second effect."""
    updated = Delivery.objects.using(alias).filter(pk=delivery_id).exclude(state=Delivery.State.DELIVERED).update(
        state=Delivery.State.PENDING, next_attempt_at=lease_end(timezone.now())
    )
    if updated:
        dispatch.deliveries_dispatch(alias=alias, delivery_ids=[delivery_id])


def delivery_replay(*, delivery_id: int, alias: str = "default") -> None:
    """Apply an event to its subscriber again, on purpose: forget its inbox entry, then deliver."""
    delivery = Delivery.objects.using(alias).select_related("event").get(pk=delivery_id)
    if not delivery.subscriber.startswith(REMOTE_PREFIX):  # another process keeps its own inbox
        subscriber_alias = module_database(delivery.subscriber.split(".", 1)[0])
        with transaction.atomic(using=subscriber_alias):
            InboxEntry.objects.using(subscriber_alias).filter(
                subscriber=delivery.subscriber, event_id=delivery.event.event_id
            ).delete()
    Delivery.objects.using(alias).filter(pk=delivery_id).update(
        state=Delivery.State.PENDING, next_attempt_at=lease_end(timezone.now())
    )
    dispatch.deliveries_dispatch(alias=alias, delivery_ids=[delivery_id])
