"""``manage.py import_stock``: validated whole first, all or nothing, idempotent, through the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contracts.common import SkuQuantity
from modules.inventory.models import StockLevel, StockMovement
from modules.inventory.selectors import availability_map
from modules.inventory.services.reservations import reservation_create
from modules.inventory.tests.conftest import ledger_consistent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stock.csv"
    path.write_text(text, encoding="utf-8")
    return path


def levels() -> dict[tuple[str, str], int]:
    return {(level.sku, level.warehouse.code): level.on_hand for level in StockLevel.objects.select_related("warehouse")}


def test_import_sets_levels_through_import_movements_and_is_idempotent(tmp_path, receive, capsys):
    receive("A", 10)
    path = write(tmp_path, "\ufeffsku,warehouse,on_hand\nA,MAIN,4\nA,EAST,2\nB,MAIN,0\nC,EAST,7\n\n")
    call_command("import_stock", str(path))
    assert "4 rows" in capsys.readouterr().out
    assert levels() == {("A", "MAIN"): 4, ("A", "EAST"): 2, ("B", "MAIN"): 0, ("C", "EAST"): 7}
    imports = StockMovement.objects.filter(kind="import")
    assert sorted(imports.values_list("sku", "warehouse__code", "quantity")) == [
        ("A", "EAST", 2),
        ("A", "MAIN", -6),
        ("C", "EAST", 7),
    ]
    assert set(imports.values_list("reference", flat=True)) == {"stock.csv"}
    call_command("import_stock", str(path))
    assert StockMovement.objects.filter(kind="import").count() == 3
    assert ledger_consistent()


def test_import_reports_every_bad_line_and_imports_nothing(tmp_path, receive, catalog, capsys):
    receive("A", 10)
    catalog.unknown.add("GHOST")
    path = write(
        tmp_path,
        "sku,warehouse,on_hand\n"
        "A,MAIN,4\n"  # fine
        "B,NOWHERE,1\n"  # line 3: unknown warehouse
        "C,MAIN,-1\n"  # line 4: negative
        "D,MAIN,2.5\n"  # line 5: fractional
        "A,MAIN,5\n"  # line 6: duplicate of line 2
        "GHOST,MAIN,1\n"  # line 7: unknown SKU
        "E,MAIN\n"  # line 8: too few values
        "bad sku,MAIN,1\n"  # line 9: not a SKU
        "F,MAIN,99999999999\n",  # line 10: huge
    )
    with pytest.raises(CommandError):
        call_command("import_stock", str(path))
    err = capsys.readouterr().err
    for line, code in [(3, "unknown_warehouse"), (4, "invalid_quantity"), (5, "invalid_quantity"), (6, "duplicate"),
                       (7, "unknown_sku"), (8, "invalid_row"), (9, "invalid_sku"), (10, "invalid_quantity")]:
        assert f"line {line}:" in err and code in err
    assert "line 2:" not in err
    assert levels() == {("A", "MAIN"): 10}
    assert not StockMovement.objects.filter(kind="import").exists()


@pytest.mark.parametrize("text", ["", "sku,on_hand\nA,1\n", "sku,warehouse,on_hand\n", "sku,warehouse,on_hand\n\"A,MAIN,1\n"])
def test_import_refuses_a_file_without_the_header_or_rows(tmp_path, warehouses, catalog, text):
    with pytest.raises(CommandError):
        call_command("import_stock", str(write(tmp_path, text)))
    assert not StockMovement.objects.exists()


def test_import_of_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_stock", str(tmp_path / "nope.csv"))


def test_import_below_what_is_held_keeps_availability_at_zero(tmp_path, receive):
    receive("A", 5)
    reservation_create(reference="r1", lines=[SkuQuantity(sku="A", quantity=4)])
    call_command("import_stock", str(write(tmp_path, "sku,warehouse,on_hand\nA,MAIN,2\n")))
    # The hold stays (a count found less); what is offered never goes negative.
    assert availability_map(skus=["A"]) == {"A": 0}
    assert ledger_consistent()


def bad_file(rows: int) -> str:
    return "sku,warehouse,on_hand\n" + "".join(f"S{i},MAIN,-{i}\n" for i in range(rows))


def test_a_bad_60000_line_file_lists_the_first_50_problems_and_counts_them_all(tmp_path, receive, capsys):
    receive("A", 10)
    path = write(tmp_path, bad_file(60_000))
    with pytest.raises(CommandError, match=r"60000 problem\(s\); nothing was imported. The first 50 are listed."):
        call_command("import_stock", str(path))
    err = capsys.readouterr().err
    problem_lines = [line for line in err.splitlines() if "[invalid_quantity]" in line]
    assert len(problem_lines) == 50
    assert problem_lines[0].startswith(f"{path}: line 2:") and problem_lines[-1].startswith(f"{path}: line 51:")
    assert err.splitlines()[-1] == f"{path}: ... and 59950 more problem(s)"
    assert levels() == {("A", "MAIN"): 10}


def test_import_publishes_only_the_crossings(tmp_path, receive, events, django_capture_on_commit_callbacks):
    receive("A", 10)
    receive("B", 10)
    receive("C", 3)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_stock", str(write(tmp_path, "sku,warehouse,on_hand\nA,MAIN,0\nB,MAIN,9\nC,MAIN,3\nD,EAST,4\n")))
    assert sorted((type(e).__name__, e.sku) for e in events) == [("BackInStock", "D"), ("OutOfStockReached", "A")]


def test_a_dry_run_reports_what_would_change_and_writes_nothing(tmp_path, receive, capsys):
    receive("A", 10)
    call_command("import_stock", str(write(tmp_path, "sku,warehouse,on_hand\nA,MAIN,4\n")), "--dry-run")
    assert "dry run, nothing written: imported 1 rows" in capsys.readouterr().out
    assert levels() == {("A", "MAIN"): 10}
    assert not StockMovement.objects.filter(kind="import").exists()


def test_a_refused_file_carries_the_one_import_code(tmp_path, warehouses, catalog):
    from kernel.imports import ImportInvalid
    from modules.inventory.services.imports import stock_import

    with pytest.raises(ImportInvalid) as caught:
        stock_import(text="sku,warehouse,on_hand\nA,MAIN,-1\n")
    assert caught.value.code == "import_invalid" and caught.value.extra["problem_count"] == 1
    assert caught.value.errors[0].field == "line 2" and caught.value.errors[0].code == "invalid_quantity"


def test_any_sku_the_catalog_knows_is_stocked_draft_or_discontinued_alike(tmp_path, warehouses, catalog):
    # The one rule of every import (as for prices): a SKU must be known to the catalog, sold yet or not.
    catalog.knows_every_sku = False
    catalog.variant_add("DRAFT-1", published=False)
    catalog.variant_add("OLD-1", active=False)
    call_command("import_stock", str(write(tmp_path, "sku,warehouse,on_hand\nDRAFT-1,MAIN,3\nOLD-1,MAIN,1\n")))
    assert levels() == {("DRAFT-1", "MAIN"): 3, ("OLD-1", "MAIN"): 1}
    with pytest.raises(CommandError):
        call_command("import_stock", str(write(tmp_path, "sku,warehouse,on_hand\nNEVER-1,MAIN,3\n")))
    assert levels() == {("DRAFT-1", "MAIN"): 3, ("OLD-1", "MAIN"): 1}
