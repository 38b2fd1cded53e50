"""`manage.py architecture check` is clean on the tree and bites on each kind of leak injected into a copy of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from commerce.architecture.check import check, check_registry
from commerce.architecture.source import ROOT
from commerce.architecture.static import Violation, check_source


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    for name in ("commerce", "contracts", "kernel", "modules"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("importlinter.ini", "manage.py"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def inject(tree: Path, rel: str, text: str, *, at_top: bool = False) -> int:
    """Add ``text`` to a file of the copy (created if missing); return the line its first line lands on."""
    path = tree / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text() if path.exists() else ""
    if at_top:
        path.write_text(text + before)
        return 1
    path.write_text(before + ("\n" if before and not before.endswith("\n") else "") + text)
    return before.count("\n") + (1 if before and not before.endswith("\n") else 0) + 1


def only(violations: list[Violation], rule: str) -> list[Violation]:
    return [v for v in violations if v.rule == rule]


def test_the_tree_is_clean():
    assert [str(v) for v in check()] == []


def test_the_command_reports_a_clean_tree_with_every_module(capsys):
    call_command("architecture", "check")
    out = capsys.readouterr().out
    assert "no violation" in out and "catalog" in out and "checkout" in out


LEAKS = [
    pytest.param(
        "modules/checkout/models.py",
        'class Leak(models.Model):\n    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE)\n',
        1, "model-relation", "checkout", "catalog", id="string-foreign-key",
    ),
    pytest.param(
        "modules/checkout/models.py",
        'class Leak(models.Model):\n    prices = models.ManyToManyField(to="pricing.Price")\n',
        1, "model-relation", "checkout", "pricing", id="string-many-to-many",
    ),
    pytest.param(
        "modules/inventory/selectors.py",
        'from django.apps import apps\n\n\ndef leak():\n    return apps.get_model("catalog", "Variant").objects.all()\n',
        4, "get-model", "inventory", "catalog", id="get-model-two-args",
    ),
    pytest.param(
        "modules/inventory/selectors.py",
        'from django.apps import apps\n\nLEAK = apps.get_model("checkout.Order")\n',
        2, "get-model", "inventory", "checkout", id="get-model-label",
    ),
    pytest.param(
        "modules/pricing/selectors.py",
        'from django.db import connection\n\n\ndef leak():\n    with connection.cursor() as cursor:\n'
        '        cursor.execute("SELECT sku FROM inventory_stocklevel WHERE on_hand > 0")\n',
        5, "raw-sql", "pricing", "inventory", id="raw-sql",
    ),
    pytest.param(
        "modules/pricing/handlers.py",
        'from django.db.models.signals import post_save\n\n\ndef leak(sender, **kwargs):\n    pass\n\n\n'
        'post_save.connect(leak, sender="catalog.Product")\n',
        7, "signal-receiver", "pricing", "catalog", id="signal-connect-string",
    ),
    pytest.param(
        "modules/pricing/handlers.py",
        'from django.db.models.signals import pre_delete\nfrom django.dispatch import receiver\n\n\n'
        '@receiver(pre_delete, sender="inventory.Warehouse")\ndef leak(sender, **kwargs):\n    pass\n',
        4, "signal-receiver", "pricing", "inventory", id="signal-receiver-decorator",
    ),
    pytest.param(
        "modules/pricing/handlers.py",
        'from django.apps import apps\nfrom django.db.models.signals import post_delete\n\n\ndef leak(sender, **kwargs):\n    pass\n\n\n'
        'post_delete.connect(leak, sender=apps.get_model("catalog", "Variant"))\n',
        8, "signal-receiver", "pricing", "catalog", id="signal-connect-model-class",
    ),
    pytest.param(
        "modules/checkout/selectors.py",
        'import importlib\n\nLEAK = importlib.import_module("modules.pricing.models")\n',
        2, "dynamic-import", "checkout", "pricing", id="importlib",
    ),
    pytest.param(
        "modules/checkout/selectors.py",
        'LEAK = __import__("modules.inventory.selectors")\n',
        0, "dynamic-import", "checkout", "inventory", id="dunder-import",
    ),
    pytest.param(
        "modules/checkout/selectors.py",
        'from django.utils.module_loading import import_string\n\nLEAK = import_string("modules.catalog.selectors.products_published")\n',
        2, "dynamic-import", "checkout", "catalog", id="import-string",
    ),
    pytest.param(
        "modules/checkout/selectors.py",
        'from importlib import import_module\n\n\ndef leak(name):\n    return import_module(f"modules.pricing.{name}")\n',
        4, "dynamic-import", "checkout", "pricing", id="import-module-f-string",
    ),
    pytest.param(
        "modules/checkout/migrations/0099_leak.py",
        'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [\n'
        '        ("checkout", "0004_action_permissions"),\n        ("catalog", "0001_initial"),\n    ]\n',
        6, "migration-dependency", "checkout", "catalog", id="migration-dependency",
    ),
    pytest.param(
        "modules/checkout/migrations/0099_leak.py",
        'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n'
        '    run_before = [("inventory", "0001_initial")]\n',
        4, "migration-dependency", "checkout", "inventory", id="migration-run-before",
    ),
    pytest.param(
        "modules/catalog/services.py",
        'LEAK_TASK = "modules.pricing.tasks.price_list_windows_publish"\n',
        0, "module-path", "catalog", "pricing", id="dotted-path-string",
    ),
    pytest.param(
        "modules/catalog/services.py",
        'LEAK = {"model": "checkout.cartline"}\n',
        0, "model-reference", "catalog", "checkout", id="model-label-string",
    ),
    pytest.param(
        "kernel/batching.py",
        'from django.apps import apps\n\nLEAK = apps.get_model("pricing", "Voucher")\n',
        2, "get-model", "kernel", "pricing", id="kernel-knows-no-module",
    ),
]


@pytest.mark.parametrize(("rel", "text", "offset", "rule", "source", "target"), LEAKS)
def test_each_leak_kind_fails_the_check_naming_file_line_rule_and_both_modules(tree, rel, text, offset, rule, source, target):
    line = inject(tree, rel, text) + offset
    found = check(tree, imports=False)
    assert [(v.path, v.line, v.rule, v.source, v.target) for v in found] == [(rel, line, rule, source, target)], found
    assert str(found[0]).startswith(f"{rel}:{line}: {rule}: {source} -> {target}: ")


@pytest.mark.parametrize(
    ("text", "target"),
    [("import kernel.problems\n", "kernel"), ("from django.db import models\n", "django"), ("import attrs\n", "attrs")],
)
def test_contracts_importing_anything_but_the_standard_library_fails(tree, text, target):
    inject(tree, "contracts/catalog.py", text, at_top=True)
    found = only(check_source(tree), "contracts-stdlib")
    assert [(v.path, v.line, v.source, v.target) for v in found] == [("contracts/catalog.py", 1, "contracts.catalog", target)]


def test_contracts_may_import_the_standard_library_and_themselves(tree):
    inject(tree, "contracts/catalog.py", "import json\nimport contracts.common\nfrom . import errors\n", at_top=True)
    assert check_source(tree) == []


def test_an_import_across_modules_fails_through_the_import_contracts(tree):
    inject(tree, "modules/checkout/facade.py", "import modules.inventory.models  # injected\n", at_top=True)
    found = check(tree)
    assert [(v.path, v.line, v.rule, v.source, v.target) for v in found] == [
        ("modules/checkout/facade.py", 1, "import-contracts", "modules.checkout", "modules.inventory")
    ]
    assert "Modules never import each other" in found[0].detail


def test_a_module_importing_the_composition_root_breaks_the_layers(tree):
    inject(tree, "modules/pricing/facade.py", "import commerce.routers  # injected\n", at_top=True)
    found = check(tree)
    assert [(v.path, v.line, v.rule, v.source, v.target) for v in found] == [
        ("modules/pricing/facade.py", 1, "import-contracts", "modules", "commerce")
    ]


def test_a_module_may_name_itself(tree):
    inject(
        tree,
        "modules/catalog/selectors.py",
        'from django.apps import apps\nimport importlib\n\nA = apps.get_model("catalog", "Product")\n'
        'B = importlib.import_module("modules.catalog.models")\nC = "SELECT 1 FROM catalog_product"\n',
    )
    assert check(tree, imports=False) == []


def test_docstrings_are_not_code(tree):
    inject(tree, "modules/catalog/selectors.py", 'def documented():\n    """Unlike inventory_stocklevel, see "checkout.Order"."""\n')
    assert check(tree, imports=False) == []


def test_a_new_module_listed_in_the_container_is_covered(tree):
    # A module being added (e.g. payments): once MODULES lists it, its code and its models are checked too.
    inject(tree, "modules/payments/models.py", "from django.db import models\n\n\nclass Charge(models.Model):\n    pass\n")
    inject(tree, "modules/payments/services.py", 'import importlib\n\nX = importlib.import_module("modules.checkout.services")\n')
    inject(tree, "modules/checkout/selectors.py", 'SQL = "SELECT id FROM payments_charge"\n')
    modules = ("catalog", "pricing", "inventory", "checkout", "payments")
    found = check_source(tree, modules)
    assert {(v.rule, v.source, v.target) for v in found} == {("dynamic-import", "payments", "checkout"), ("raw-sql", "checkout", "payments")}


def test_the_registry_shows_no_relation_or_receiver_across_modules():
    assert check_registry() == []


@pytest.mark.slow
def test_the_command_exits_non_zero_on_a_copy_with_a_receiver_on_another_modules_model(tree):
    # The whole command, in a process of its own on the copy: the app registry sees the receiver bound at start-up.
    inject(
        tree,
        "modules/pricing/apps.py",
        "\n\ndef _leak(sender, **kwargs):\n    pass\n\n\n"
        "def _connect():\n    from django.apps import apps\n    from django.db.models.signals import post_save\n\n"
        '    post_save.connect(_leak, sender=apps.get_model("catalog", "Product"), weak=False)\n',
    )
    apps_py = tree / "modules/pricing/apps.py"
    apps_py.write_text(apps_py.read_text().replace("    def ready(self) -> None:\n", "    def ready(self) -> None:\n        _connect()\n", 1))
    env = {**os.environ, "PYTHONPATH": str(tree), "DJANGO_SETTINGS_MODULE": "commerce.settings", "SECRET_KEY": "x" * 50}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "architecture", "check"], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("modules/pricing/apps.py:") and "signal-receiver: pricing -> catalog" in line for line in lines), lines
    # Found twice: in the source (the get_model call) and in the registry (the receiver itself).
    assert any("receives post_save of catalog.Product" in line for line in lines), lines
