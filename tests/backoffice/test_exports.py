"""Exports: orders with lines and stock levels as CSV, from the admin and from ``manage.py export``, formula-safe."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from kernel.csv_export import cell_safe, csv_write
from modules.checkout.models import Order
from modules.inventory.models import StockLevel, Warehouse


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        (-3, -3),  # the shop's own numbers stay numbers
        (Decimal("-1.50"), Decimal("-1.50")),
        (None, ""),
        (True, "true"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value, cell):
    assert cell_safe(value) == cell


def test_the_writer_protects_every_cell_and_counts_rows():
    out = io.StringIO()
    assert csv_write(out=out, header=["name", "qty"], rows=[["=cmd|' /C calc'!A0", 2], ["Bob", 1]]) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "qty"], ["'=cmd|' /C calc'!A0", "2"], ["Bob", "1"]]


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_orders_export_command_writes_a_row_per_line_with_money_in_minor_units(make_order):
    make_order(total="9.99", lines=[("SKU-1", "Tee", 1, "4.99"), ("SKU-2", "=1+1", 1, "5.00")], email="ada@example.com")
    make_order(currency="JPY", total="1500", lines=[("SKU-3", "Mug", 3, "500")])
    out = io.StringIO()
    call_command("export", "orders", stdout=out, stderr=io.StringIO())
    rows = _read(out.getvalue())
    assert [(r["currency"], r["order_total"], r["line_sku"], r["line_unit_price"], r["line_total"]) for r in rows] == [
        ("EUR", "9.99", "SKU-1", "4.99", "4.99"),
        ("EUR", "9.99", "SKU-2", "5.00", "5.00"),
        ("JPY", "1500", "SKU-3", "500", "1500"),
    ]
    assert rows[1]["line_name"] == "'=1+1"
    assert rows[0]["email"] == "ada@example.com" and rows[0]["shipping_name"] == "Ada"


def test_orders_export_since_keeps_the_newer_orders_and_writes_to_a_file(make_order, tmp_path):
    old, new = make_order(), make_order()
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    target = tmp_path / "orders.csv"
    since = (timezone.now() - timedelta(days=30)).date().isoformat()
    call_command("export", "orders", "--since", since, "--output", str(target), stderr=io.StringIO())
    assert [row["order_number"] for row in _read(target.read_text())] == [new.number]


def test_export_refuses_a_bad_since_and_since_for_stock(db):
    with pytest.raises(CommandError, match="is not a date"):
        call_command("export", "orders", "--since", "yesterday")
    with pytest.raises(CommandError, match="applies to orders"):
        call_command("export", "stock", "--since", "2026-01-01")


def test_stock_export_command_lists_levels_with_what_is_held(receive):
    receive("A", 5)
    receive("A", 2, warehouse="EAST")
    Warehouse.objects.filter(code="EAST").update(name="=HYPERLINK(1)")  # a name typed by someone, a formula to Excel
    from contracts.common import SkuQuantity
    from modules.inventory.services.reservations import reservation_create

    reservation_create(reference="r1", lines=[SkuQuantity(sku="A", quantity=3)])
    out = io.StringIO()
    call_command("export", "stock", stdout=out, stderr=io.StringIO())
    rows = [(r["sku"], r["warehouse"], r["warehouse_name"], r["on_hand"], r["held"], r["free"]) for r in _read(out.getvalue())]
    assert rows == [("A", "MAIN", "Main", "5", "3", "2"), ("A", "EAST", "'=HYPERLINK(1)", "2", "0", "2")]


def test_admin_exports_the_selected_orders(client, staff_in, make_order):
    first, _second = make_order(lines=[("SKU-1", "@evil", 2, "4.995")]), make_order()
    client.force_login(staff_in("customer service"))
    response = client.post(reverse("admin:checkout_order_changelist"), {"action": "export_csv", "_selected_action": [first.pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = _read(b"".join(response.streaming_content).decode())
    assert [(r["order_number"], r["line_name"], r["line_unit_price"]) for r in rows] == [(first.number, "'@evil", "5.00")]


def test_admin_exports_stock_for_the_warehouse_role_only(client, staff_in, receive):
    receive("A", 4)
    url = reverse("admin:inventory_stocklevel_changelist")
    selected = {"action": "export_csv", "_selected_action": list(StockLevel.objects.values_list("pk", flat=True))}
    client.force_login(staff_in("warehouse"))
    response = client.post(url, selected)
    assert response.status_code == 200
    assert _read(b"".join(response.streaming_content).decode())[0]["on_hand"] == "4"
    client.force_login(staff_in("catalog manager"))
    assert client.post(url, selected).status_code == 403
