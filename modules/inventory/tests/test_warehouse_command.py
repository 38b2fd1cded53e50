"""``manage.py warehouse create|list``: warehouses without the admin, and the import that points to it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from contracts.errors import InvalidInput
from modules.inventory.models import Warehouse
from modules.inventory.services.imports import stock_import
from modules.inventory.services.warehouses import warehouse_create


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("warehouse", *args, stdout=out)
    return out.getvalue()


def test_create_then_list(db, catalog):
    assert _run("create", "BER-1", "Berlin main", "--priority", "5") == "Created warehouse BER-1 (Berlin main), priority 5, active.\n"
    _run("create", "HAM", "Hamburg", "--inactive")
    stock_import(text="sku,warehouse,on_hand\nA,BER-1,4\nB,BER-1,0\n")
    lines = _run("list").splitlines()
    assert lines[0].split() == ["code", "priority", "active", "SKUs", "on", "hand", "name"]
    assert lines[1].split() == ["BER-1", "5", "yes", "1", "4", "Berlin", "main"]
    assert lines[2].split() == ["HAM", "100", "no", "0", "0", "Hamburg"]
    assert Warehouse.objects.get(code="HAM").active is False


def test_list_without_warehouses_says_how_to_create_one(db):
    assert "manage.py warehouse create CODE NAME" in _run("list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "MAIN", "Again"), "There is already a warehouse 'MAIN'"),
        (("create", "bad code", "X"), "A warehouse code is"),
        (("create", "X" * 21, "X"), "A warehouse code is"),
        (("create", "OK", " "), "non-empty"),
        (("create", "OK", "Fine", "--priority", "-1"), "A priority is"),
    ],
)
def test_create_refuses_bad_input_and_changes_nothing(warehouses, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert Warehouse.objects.count() == 2


def test_the_service_refuses_a_taken_code(warehouses):
    with pytest.raises(InvalidInput) as refused:
        warehouse_create(code="MAIN", name="Main again")
    assert refused.value.errors[0].code == "warehouse_exists"


def test_an_import_naming_an_unknown_warehouse_names_the_command(warehouses, catalog):
    with pytest.raises(InvalidInput) as refused:
        stock_import(text="sku,warehouse,on_hand\nA,NORTH,1\n")
    detail = refused.value.errors[0].detail
    assert "There is no warehouse 'NORTH'" in detail and "manage.py warehouse create NORTH NAME" in detail
    _run("create", "NORTH", "North")
    assert stock_import(text="sku,warehouse,on_hand\nA,NORTH,1\n").changed == 1
