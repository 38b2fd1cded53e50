"""The module boundaries hold, and the checks that guard them really bite."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from commerce.architecture.check import relations_across
from contracts.container import MODULES

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def run_linter(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--config", "importlinter.ini", "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    for name in ("commerce", "contracts", "kernel", "modules"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(ROOT / "importlinter.ini", copy / "importlinter.ini")
    return copy


def test_linter_passes_on_the_tree():
    result = run_linter(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_module_importing_another_module_fails_the_linter_naming_both(tree_copy: Path):
    target = tree_copy / "modules" / "checkout" / "facade.py"
    target.write_text("import modules.inventory.models  # injected violation\n" + target.read_text())
    result = run_linter(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "modules.checkout" in result.stdout and "modules.inventory" in result.stdout


def test_contracts_importing_django_fails_the_linter(tree_copy: Path):
    target = tree_copy / "contracts" / "catalog.py"
    target.write_text("import django.db  # injected violation\n" + target.read_text())
    result = run_linter(tree_copy)
    assert result.returncode != 0
    assert "contracts.catalog" in result.stdout and "django" in result.stdout


def test_module_importing_the_composition_root_fails_the_linter(tree_copy: Path):
    target = tree_copy / "modules" / "pricing" / "facade.py"
    target.write_text("import commerce.routers  # injected violation\n" + target.read_text())
    result = run_linter(tree_copy)
    assert result.returncode != 0
    assert "modules.pricing" in result.stdout and "commerce" in result.stdout


def test_linter_config_excuses_nothing():
    text = (ROOT / "importlinter.ini").read_text()
    for forbidden in ("ignore_imports", "allow_indirect_imports", "unmatched_ignore_imports_alerting"):
        assert not re.search(rf"^\s*{forbidden}\b", text, re.MULTILINE), forbidden


def cross_module_relations(model_classes: list[type[models.Model]]) -> list[str]:
    """Return every relation field of a module's model that points outside that module (the architecture check's rule)."""
    return [violation.detail for violation in relations_across(model_classes)]


def test_no_model_relation_leaves_its_module():
    assert cross_module_relations(list(apps.get_models(include_auto_created=True))) == []


@isolate_apps("modules.catalog", "modules.checkout")
def test_relation_check_catches_string_references_across_modules():
    class Product(models.Model):
        class Meta:
            app_label = "catalog"

    class CartLine(models.Model):
        product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE)

        class Meta:
            app_label = "checkout"

    assert cross_module_relations([Product, CartLine]) == ["checkout.CartLine.product -> catalog"]


def test_no_module_reaches_another_modules_tables_by_name():
    tables = {
        label: {model._meta.db_table for model in apps.get_app_config(label).get_models()} for label in MODULES
    }
    offences = []
    for label in MODULES:
        others = set().union(*(t for other, t in tables.items() if other != label))
        for path in (ROOT / "modules" / label).rglob("*.py"):
            text = path.read_text()
            offences += [f"{path.relative_to(ROOT)}: {table}" for table in others if re.search(rf"\b{table}\b", text)]
            for other in MODULES:
                if other != label and re.search(rf"get_model\(\s*['\"]{other}", text):
                    offences.append(f"{path.relative_to(ROOT)}: apps.get_model('{other}...')")
    assert offences == []
