"""The inventory admin: on-hand changes only through forms that write the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts.common import SkuQuantity
from modules.inventory.models import Reservation, StockLevel, StockMovement
from modules.inventory.services.reservations import reservation_create, reservation_release
from modules.inventory.services.sales import reservation_commit
from modules.inventory.tests.conftest import ledger_consistent

MOVE = "admin:inventory_stocklevel_move"
IMPORT = "admin:inventory_stocklevel_import"


@pytest.mark.parametrize("model", ["warehouse", "stocklevel", "stockmovement", "reservation", "lowstockthreshold"])
def test_changelists_open(admin_client, receive, model):
    receive("A", 3)
    reservation_create(reference="r1", lines=[SkuQuantity(sku="A", quantity=1)])
    response = admin_client.get(reverse(f"admin:inventory_{model}_changelist"))
    assert response.status_code == 200


def test_stock_level_page_is_read_only_and_links_to_the_forms(admin_client, receive):
    receive("A", 3)
    level = StockLevel.objects.get(sku="A")
    changelist = admin_client.get(reverse("admin:inventory_stocklevel_changelist")).content.decode()
    assert reverse(MOVE) in changelist and reverse(IMPORT) in changelist
    page = admin_client.get(reverse("admin:inventory_stocklevel_change", args=[level.pk])).content.decode()
    assert 'name="on_hand"' not in page
    assert "Receive or adjust" in page
    assert admin_client.post(reverse("admin:inventory_stocklevel_change", args=[level.pk]), {"on_hand": 99}).status_code == 403
    assert StockLevel.objects.get(sku="A").on_hand == 3


def test_receive_form_writes_a_ledger_row(admin_client, receive, admin_user):
    receive("A", 3)
    assert admin_client.get(reverse(MOVE), {"sku": "A", "warehouse": "MAIN"}).status_code == 200
    response = admin_client.post(
        reverse(MOVE), {"sku": "A", "warehouse": "EAST", "kind": "receipt", "quantity": 7, "reason": "PO-1"}
    )
    assert response.status_code == 302
    movement = StockMovement.objects.get(warehouse__code="EAST")
    assert (movement.kind, movement.quantity, movement.reason, movement.actor) == ("receipt", 7, "PO-1", admin_user.username)
    assert StockLevel.objects.get(sku="A", warehouse__code="EAST").on_hand == 7
    assert ledger_consistent()


def test_adjust_form_refuses_to_go_below_zero(admin_client, receive):
    receive("A", 3)
    response = admin_client.post(reverse(MOVE), {"sku": "A", "warehouse": "MAIN", "kind": "adjustment", "quantity": -4})
    assert response.status_code == 200
    assert "Only 3 on hand" in response.content.decode()
    response = admin_client.post(reverse(MOVE), {"sku": "A", "warehouse": "MAIN", "kind": "adjustment", "quantity": -2})
    assert response.status_code == 302
    assert StockLevel.objects.get(sku="A", warehouse__code="MAIN").on_hand == 1
    assert ledger_consistent()


@pytest.mark.parametrize(
    "data",
    [
        {"sku": "A", "warehouse": "MAIN", "kind": "receipt", "quantity": 0},
        {"sku": "A", "warehouse": "MAIN", "kind": "receipt", "quantity": -1},
        {"sku": "A", "warehouse": "MAIN", "kind": "receipt", "quantity": "1.5"},
        {"sku": "A", "warehouse": "MAIN", "kind": "receipt", "quantity": 10**7},
        {"sku": "A", "warehouse": "NOWHERE", "kind": "receipt", "quantity": 1},
        {"sku": "GHOST", "warehouse": "MAIN", "kind": "receipt", "quantity": 1},
        {"sku": "A", "warehouse": "MAIN", "kind": "sale", "quantity": 1},
    ],
)
def test_move_form_refuses_bad_input(admin_client, warehouses, catalog, data):
    catalog.unknown.add("GHOST")
    response = admin_client.post(reverse(MOVE), data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "errornote" in response.content.decode()
    assert not StockMovement.objects.exists()


def test_move_form_needs_permission(client, warehouses):
    staff = User.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(MOVE)).status_code == 403
    assert client.get(reverse(IMPORT)).status_code == 403


def test_import_form_sets_levels_or_lists_the_bad_lines(admin_client, receive):
    receive("A", 3)
    bad = SimpleUploadedFile("stock.csv", b"sku,warehouse,on_hand\nA,MAIN,5\nB,NOWHERE,1\nC,MAIN,-2\n")
    response = admin_client.post(reverse(IMPORT), {"file": bad})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<tr><td>3</td>" in page and "<tr><td>4</td>" in page and "unknown_warehouse" in page
    assert StockLevel.objects.get(sku="A").on_hand == 3
    good = SimpleUploadedFile("stock.csv", b"sku,warehouse,on_hand\nA,MAIN,5\nB,EAST,1\n")
    assert admin_client.post(reverse(IMPORT), {"file": good}).status_code == 302
    assert StockLevel.objects.get(sku="A").on_hand == 5
    assert StockMovement.objects.filter(kind="import").count() == 2
    assert ledger_consistent()


def test_import_form_refuses_a_file_that_is_not_utf8(admin_client, warehouses):
    response = admin_client.post(reverse(IMPORT), {"file": SimpleUploadedFile("s.csv", b"\xff\xfe\x00bad")})
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()


def test_ledger_filters_by_kind_warehouse_and_date(admin_client, receive):
    receive("A", 3)
    receive("B", 2, warehouse="EAST")
    url = reverse("admin:inventory_stockmovement_changelist")
    by_kind = admin_client.get(url, {"kind__exact": "receipt"})
    assert by_kind.status_code == 200 and by_kind.context["cl"].result_count == 2
    east = admin_client.get(url, {"warehouse__id__exact": StockLevel.objects.get(sku="B").warehouse_id})
    assert east.context["cl"].result_count == 1
    today = timezone.now()
    dated = admin_client.get(url, {"created_at__year": today.year, "created_at__month": today.month, "created_at__day": today.day})
    assert dated.context["cl"].result_count == 2
    by_sku = admin_client.get(url, {"sku": "A"})
    assert by_sku.context["cl"].result_count == 1
    assert admin_client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403


def test_reservations_filter_by_state_counting_expired_by_time(admin_client, receive):
    receive("A", 5)
    for reference in ("live", "late", "gone", "sold"):
        reservation_create(reference=reference, lines=[SkuQuantity(sku="A", quantity=1)])
    Reservation.objects.filter(reference="late").update(expires_at=timezone.now() - timedelta(minutes=1))
    reservation_release(reference="gone")
    reservation_commit(reference="sold", order_number="O-1")
    url = reverse("admin:inventory_reservation_changelist")

    def references(state: str) -> list[str]:
        response = admin_client.get(url, {"state": state})
        assert response.status_code == 200
        return sorted(r.reference for r in response.context["cl"].result_list)

    assert references("active") == ["live"]
    assert references("expired") == ["late"]
    assert references("released") == ["gone"]
    assert references("committed") == ["sold"]
    page = admin_client.get(reverse("admin:inventory_reservation_change", args=[Reservation.objects.get(reference="late").pk]))
    assert page.status_code == 200 and "expired" in page.content.decode()


def test_import_form_lists_the_first_50_problems_of_a_huge_bad_file(admin_client, receive):
    receive("A", 3)
    text = "sku,warehouse,on_hand\n" + "".join(f"S{i},MAIN,-1\n" for i in range(60_000))
    response = admin_client.post(reverse(IMPORT), {"file": SimpleUploadedFile("stock.csv", text.encode())})
    assert response.status_code == 200
    assert len(response.context["problems"]) == 50
    page = response.content.decode()
    assert "60000 problem(s)" in page and "first 50" in page
    assert StockLevel.objects.get(sku="A").on_hand == 3
