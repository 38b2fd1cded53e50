"""Writes of price lists, and the starts and ends of their validity windows, each publishing ``PriceChanged``.

A price list changes what ``prices_get`` answers in two ways: when it is
edited (its window, priority, switch or items) and when its window starts
or ends while nobody writes anything. Edits go through ``price_list_save``
and ``price_list_delete``, which compare the prices of every SKU the list
names before and after the write, in its transaction. Window boundaries are
found by ``price_list_windows_publish``, run by the beat schedule: it
compares the prices of the SKUs of the lists whose ``valid_from`` or
``valid_until`` fell into ``(last run, now]``, so each boundary is published
by exactly one run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from contracts.common import SKU_RULE, sku_valid
from contracts.errors import Conflict, FieldProblem, InvalidInput
from modules.pricing.models import PriceList, PriceListItem, WindowMark
from modules.pricing.selectors.prices import prices_effective
from modules.pricing.services import price_changes_publish, pricing_atomic

WINDOW_MARK = "price_list_windows"


def _validated(instance: PriceList | PriceListItem, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        problems = tuple(
            FieldProblem(field=field if field != "__all__" else "", code=e.code or "invalid", detail=" ".join(e.messages))
            for field, errors in error.error_dict.items()
            for e in errors
        )
        raise InvalidInput("The price list is not valid.", errors=problems) from None


def _keys_of(price_list_ids: Sequence[int]) -> set[tuple[str, str]]:
    return set(PriceListItem.objects.filter(price_list_id__in=price_list_ids).values_list("sku", "currency"))


def price_list_save(
    *,
    price_list: PriceList,
    items: Sequence[PriceListItem] = (),
    removed: Sequence[PriceListItem] = (),
    now: datetime | None = None,
) -> PriceList:
    """Save ``price_list`` with its new or changed ``items`` and without ``removed``; publish what that repriced.

    ``PriceChanged`` goes out for every SKU (of the list, before or after the
    write) whose current price moved, carrying the new one; a list outside
    its window or switched off changes nothing now and publishes nothing
    (its start is published by ``price_list_windows_publish``).
    Raises ``InvalidInput`` (field errors) and ``Conflict`` (an item repeated).
    """
    now = now or timezone.now()
    _validated(price_list)
    for item in items:
        _validated(item, exclude=("price_list",))
        if not sku_valid(item.sku):
            raise InvalidInput(
                "The price list is not valid.",
                errors=(FieldProblem(field="sku", code="invalid_sku", detail=f"A SKU is {SKU_RULE}."),),
            )
    with pricing_atomic():
        keys = _keys_of([price_list.pk]) if price_list.pk is not None else set()
        keys |= {(item.sku, item.currency) for item in items}
        before = prices_effective(keys=keys, now=now)
        price_list.save()
        removed_ids = [item.pk for item in removed if item.pk is not None]
        PriceListItem.objects.filter(price_list=price_list, pk__in=removed_ids).delete()
        try:
            with transaction.atomic(using=pricing_atomic().using):
                for item in items:
                    item.price_list = price_list
                    item.save()
        except IntegrityError:
            raise Conflict("The price list names a SKU twice in one currency.", code="price_list_item_repeated") from None
        price_changes_publish(before=before, after=prices_effective(keys=keys, now=now))
    return price_list


def price_list_delete(*, price_list: PriceList, now: datetime | None = None) -> None:
    """Delete ``price_list`` and its items; publish ``PriceChanged`` for every SKU that it was pricing."""
    now = now or timezone.now()
    with pricing_atomic():
        keys = _keys_of([price_list.pk])
        before = prices_effective(keys=keys, now=now)
        PriceList.objects.filter(pk=price_list.pk).delete()
        price_changes_publish(before=before, after=prices_effective(keys=keys, now=now))


def price_list_windows_publish(*, now: datetime | None = None) -> int:
    """Publish ``PriceChanged`` for SKUs repriced by a price list's window starting or ending since the last run.

    Each boundary in ``(checked_until, now]`` is published once: the mark
    row is locked for the run (runs queue), and moved to ``now`` in the same
    transaction as the events. A SKU is published only if its price at
    ``now`` differs from its price at the last run (a list that starts
    under a cheaper one, or is switched off, changes nothing). The first run
    without a mark only sets it. Return how many events were published.
    """
    now = now or timezone.now()
    with pricing_atomic():
        mark = WindowMark.objects.select_for_update().filter(name=WINDOW_MARK).first()
        if mark is None:
            try:
                with transaction.atomic(using=pricing_atomic().using):
                    WindowMark.objects.create(name=WINDOW_MARK, checked_until=now)
            except IntegrityError:
                pass  # another run created it first, and checks from its own time on
            return 0
        since = mark.checked_until
        if now <= since:
            return 0
        crossed = PriceList.objects.filter(
            Q(valid_from__gt=since, valid_from__lte=now) | Q(valid_until__gt=since, valid_until__lte=now)
        ).values_list("pk", flat=True)
        keys = _keys_of(list(crossed))
        published = 0
        if keys:
            published = price_changes_publish(
                before=prices_effective(keys=keys, now=since), after=prices_effective(keys=keys, now=now)
            )
        mark.checked_until = now
        mark.save(update_fields=("checked_until",))
    return published
