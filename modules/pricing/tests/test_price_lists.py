"""Price lists publish PriceChanged when edited (service and admin) and when their windows start or end."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from contracts.errors import InvalidInput
from modules.pricing import price_lists, tasks
from modules.pricing.models import PriceList, PriceListItem, WindowMark
from modules.pricing.tests.factories import hours, now, price_list_make, price_make

pytestmark = pytest.mark.django_db


def _seen(events) -> list[tuple[str, str, Decimal | None, Decimal | None]]:
    return sorted((e.sku, e.currency, e.amount, e.compare_at) for e in events)


def _item(sku: str, amount: str, currency: str = "EUR") -> PriceListItem:
    return PriceListItem(sku=sku, currency=currency, amount=Decimal(amount))


def test_an_item_added_changed_and_removed_publishes_each_change(price_events, django_capture_on_commit_callbacks) -> None:
    price_make("A", "10.00")
    price_make("B", "5.00")
    with django_capture_on_commit_callbacks(execute=True):
        sale = price_lists.price_list_save(price_list=PriceList(name="Sale"), items=[_item("A", "8.00"), _item("C", "1.00")])
    assert _seen(price_events) == [
        ("A", "EUR", Decimal("8.00"), Decimal("10.00")),
        ("C", "EUR", Decimal("1.00"), None),  # no base price: the list prices it
    ]
    item = sale.items.get(sku="A")
    item.amount = Decimal("7.00")
    price_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        price_lists.price_list_save(price_list=sale, items=[item])
    assert _seen(price_events) == [("A", "EUR", Decimal("7.00"), Decimal("10.00"))]
    price_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        price_lists.price_list_save(price_list=sale, removed=list(sale.items.all()))
    assert _seen(price_events) == [("A", "EUR", Decimal("10.00"), None), ("C", "EUR", None, None)]
    assert not PriceListItem.objects.exists()


def test_an_edit_that_changes_no_shown_price_publishes_nothing(price_events, django_capture_on_commit_callbacks) -> None:
    price_make("A", "10.00")
    cheaper = price_list_make("Cheaper", priority=1, items=[("A", "EUR", "6.00")])
    with django_capture_on_commit_callbacks(execute=True):
        later = price_lists.price_list_save(price_list=PriceList(name="Later", valid_from=now() + hours(1)), items=[_item("A", "1.00")])
        price_lists.price_list_save(price_list=PriceList(name="Loser", priority=50), items=[_item("A", "7.00")])
        price_lists.price_list_save(price_list=PriceList(name="Off", active=False), items=[_item("A", "2.00")])
        later.name = "Later on"
        price_lists.price_list_save(price_list=later)
    assert price_events == []
    with django_capture_on_commit_callbacks(execute=True):
        price_lists.price_list_delete(price_list=cheaper)
    assert _seen(price_events) == [("A", "EUR", Decimal("7.00"), Decimal("10.00"))]  # the next list wins


def test_switching_a_list_off_or_moving_its_window_publishes(price_events, django_capture_on_commit_callbacks) -> None:
    price_make("A", "10.00")
    sale = price_list_make("Sale", items=[("A", "EUR", "8.00")])
    sale.active = False
    with django_capture_on_commit_callbacks(execute=True):
        price_lists.price_list_save(price_list=sale)
    sale.active, sale.valid_until = True, now() - hours(1)
    with django_capture_on_commit_callbacks(execute=True):
        price_lists.price_list_save(price_list=sale)  # still not valid now: nothing to publish
    sale.valid_until = None
    with django_capture_on_commit_callbacks(execute=True):
        price_lists.price_list_save(price_list=sale)
    assert [(e.sku, e.amount) for e in price_events] == [("A", Decimal("10.00")), ("A", Decimal("8.00"))]


def test_a_bad_list_is_refused_and_nothing_is_written() -> None:
    start = now()
    with pytest.raises(InvalidInput) as caught:
        price_lists.price_list_save(price_list=PriceList(name="Bad", valid_from=start, valid_until=start - hours(1)))
    assert "valid_until" in [e.field for e in caught.value.errors]
    with pytest.raises(InvalidInput):
        price_lists.price_list_save(price_list=PriceList(name="Bad"), items=[_item("A", "1.001")])
    with pytest.raises(InvalidInput):
        price_lists.price_list_save(price_list=PriceList(name="Bad"), items=[_item("A", "1.00", currency="GBP")])
    with pytest.raises(InvalidInput):
        price_lists.price_list_save(price_list=PriceList(name="Bad"), items=[_item("A B", "1.00")])
    assert not PriceList.objects.exists()


def test_window_starts_and_ends_are_published_once_each(price_events, django_capture_on_commit_callbacks) -> None:
    t0 = now()
    WindowMark.objects.update_or_create(name=price_lists.WINDOW_MARK, defaults={"checked_until": t0})
    price_make("A", "10.00")
    price_make("B", "5.00")
    price_list_make("Sale", valid_from=t0 + hours(1), valid_until=t0 + hours(3), items=[("A", "EUR", "8.00"), ("B", "EUR", "4.00")])
    price_list_make("Later", valid_from=t0 + hours(2), items=[("B", "EUR", "4.00")])  # starts under an equal price
    price_list_make("Off", active=False, valid_from=t0 + hours(1), items=[("A", "EUR", "1.00")])

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return price_lists.price_list_windows_publish(now=at)

    assert run(t0 + hours(0.5)) == 0
    assert run(t0 + hours(1)) == 2  # Sale starts (valid_from is inclusive)
    assert _seen(price_events) == [("A", "EUR", Decimal("8.00"), Decimal("10.00")), ("B", "EUR", Decimal("4.00"), Decimal("5.00"))]
    assert run(t0 + hours(1)) == 0  # the same boundary is not published twice
    assert run(t0 + hours(1.5)) == 0
    assert run(t0 + hours(2.5)) == 0  # Later starts but B costs the same
    price_events.clear()
    assert run(t0 + hours(4)) == 1  # Sale ends: A is back at its base price, B stays at Later's
    assert _seen(price_events) == [("A", "EUR", Decimal("10.00"), None)]
    assert run(t0 + hours(3.5)) == 0  # a clock going back publishes nothing again
    assert WindowMark.objects.get().checked_until == t0 + hours(4)


def test_a_run_that_jumps_over_a_whole_window_publishes_nothing(price_events, django_capture_on_commit_callbacks) -> None:
    t0 = now()
    WindowMark.objects.update_or_create(name=price_lists.WINDOW_MARK, defaults={"checked_until": t0})
    price_make("A", "10.00")
    price_list_make("Flash", valid_from=t0 + hours(1), valid_until=t0 + hours(2), items=[("A", "EUR", "8.00")])
    with django_capture_on_commit_callbacks(execute=True):
        assert price_lists.price_list_windows_publish(now=t0 + hours(3)) == 0  # the price before and after is the same
    assert price_events == []


def test_the_first_run_only_sets_the_mark() -> None:
    WindowMark.objects.all().delete()
    assert price_lists.price_list_windows_publish(now=now()) == 0
    assert WindowMark.objects.count() == 1


def test_the_periodic_task_calls_the_service() -> None:
    WindowMark.objects.update_or_create(name=price_lists.WINDOW_MARK, defaults={"checked_until": now() - hours(1)})
    assert tasks.price_list_windows_publish.apply().result == 0


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def _inline(prefix: str = "items", rows: list[dict[str, str]] = (), initial: int = 0) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for n, row in enumerate(rows):
        data |= {f"{prefix}-{n}-{k}": v for k, v in row.items()}
    return data


def test_the_admin_saves_and_deletes_price_lists_through_the_service(
    staff, price_events, django_capture_on_commit_callbacks
) -> None:
    price_make("A", "10.00")
    form = {"name": "Sale", "priority": "100", "active": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/pricing/pricelist/add/", form | _inline(rows=[{"sku": "A", "currency": "EUR", "amount": "8.00"}])
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    sale = PriceList.objects.get()
    item = sale.items.get()
    assert _seen(price_events) == [("A", "EUR", Decimal("8.00"), Decimal("10.00"))]
    price_events.clear()
    rows = [{"id": str(item.pk), "price_list": str(sale.pk), "sku": "A", "currency": "EUR", "amount": "8.00", "DELETE": "on"}]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/admin/pricing/pricelist/{sale.pk}/change/", form | _inline(rows=rows, initial=1))
    assert response.status_code == 302
    assert not PriceListItem.objects.exists()
    assert _seen(price_events) == [("A", "EUR", Decimal("10.00"), None)]
    refused = staff.post("/admin/pricing/pricelist/add/", form | {"name": "Bad"} | _inline(rows=[{"sku": "A", "currency": "EUR", "amount": "-1"}]))
    assert refused.status_code == 200 and not PriceList.objects.filter(name="Bad").exists()
    sale_items = [{"sku": "A", "currency": "EUR", "amount": "9.00"}]
    rows = [{"id": "", "price_list": str(sale.pk), **sale_items[0]}]
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/admin/pricing/pricelist/{sale.pk}/change/", form | _inline(rows=rows))
    price_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/admin/pricing/pricelist/{sale.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PriceList.objects.exists()
    assert _seen(price_events) == [("A", "EUR", Decimal("10.00"), None)]
