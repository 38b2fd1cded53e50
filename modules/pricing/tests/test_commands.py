"""``manage.py import_prices``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from modules.pricing.models import Price

pytestmark = pytest.mark.django_db


def test_import_prices_from_a_file_then_again(tmp_path, capsys, catalog) -> None:
    catalog.variants_add(["A"])
    path = tmp_path / "prices.csv"
    path.write_text("\ufeffsku,currency,amount,compare_at\nA,EUR,19.90,29.90\nA,USD,21.00,\n", encoding="utf-8")
    call_command("import_prices", str(path))
    assert "2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("import_prices", str(path))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert Price.objects.get(sku="A", currency="EUR").compare_at == Decimal("29.90")


def test_a_bad_file_imports_nothing_and_lists_each_bad_line(tmp_path, capsys, catalog) -> None:
    catalog.variants_add({"A", "B", "C"})
    path = tmp_path / "prices.csv"
    path.write_text("A,EUR,1.00\nB,EUR,1.001\nC,eur,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"2 problem\(s\); nothing was imported"):
        call_command("import_prices", str(path))
    err = capsys.readouterr().err
    assert "line 2:" in err and "line 3:" in err
    assert not Price.objects.exists()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_prices", str(tmp_path / "missing.csv"))


def test_a_file_with_many_bad_lines_prints_the_first_ones_and_the_count(tmp_path, capsys, catalog) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("".join(f"S{n},EUR,1.00\n" for n in range(60)), encoding="utf-8")
    with pytest.raises(CommandError, match=r"60 problem\(s\)"):
        call_command("import_prices", str(path))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 51 and err[-1] == f"{path}: ... and 10 more problem(s)"
    assert err[0] == f"{path}: line 1: sku: S0 is not in the catalog. [unknown_sku]"


def test_a_dry_run_reports_and_writes_nothing(tmp_path, capsys, catalog) -> None:
    catalog.variants_add(["A"])
    path = tmp_path / "prices.csv"
    path.write_text("A,EUR,1.00\n", encoding="utf-8")
    call_command("import_prices", str(path), "--dry-run")
    assert "dry run, nothing written: prices imported: 1 created" in capsys.readouterr().out
    assert not Price.objects.exists()
