"""Per-module CI slices: what `make test MODULE=<name>` runs, and which slices `make test-affected` picks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from commerce.architecture.slices import CONFORMANCE, affected_modules, changed_files, import_graph, slice_commands
from commerce.architecture.source import ROOT
from contracts.container import MODULES


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_a_change_inside_a_module_needs_its_slice_only(graph):
    assert list(affected_modules(["modules/pricing/models.py"], graph=graph)) == ["pricing"]
    assert list(affected_modules(["modules/catalog/tests/test_api.py"], graph=graph)) == ["catalog"]


def test_a_contract_change_needs_its_module_and_every_module_calling_it(graph):
    affected = affected_modules(["contracts/inventory.py"], graph=graph)
    assert affected["inventory"] == "contracts/inventory.py"
    assert {"checkout", "catalog"} <= set(affected)  # they call services().inventory
    assert "pricing" not in affected  # it never calls inventory: contracts.container alone is no dependency
    assert "depends on contracts/inventory.py" in affected["checkout"]


def test_a_kernel_change_needs_the_modules_importing_it(graph):
    affected = affected_modules(["kernel/problems.py"], graph=graph)
    importers = {name.split(".")[1] for name in graph.find_downstream_modules("kernel.problems") if name.startswith("modules.")}
    assert set(affected) == importers and importers


def test_a_fake_needs_the_slice_of_its_contract(graph):
    assert list(affected_modules(["tests/fakes/inventory.py"], graph=graph)) == ["inventory"]


def test_the_composition_root_build_and_conformance_suite_need_every_slice(graph):
    for name in ("commerce/wiring.py", "pyproject.toml", CONFORMANCE, "tests/settings.py"):
        assert list(affected_modules([name], graph=graph)) == list(MODULES), name


def test_documentation_needs_no_slice(graph):
    assert affected_modules(["README.md", "docs/architecture.md"], graph=graph) == {}


def test_changed_files_are_the_branchs_commits_the_index_the_working_tree_and_untracked(tmp_path: Path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=t", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for name in ("committed.py", "staged.py", "edited.py", "untouched.py"):
        (tmp_path / name).write_text("x = 1\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "feature")
    (tmp_path / "committed.py").write_text("x = 2\n")
    git("commit", "-q", "-am", "change")
    (tmp_path / "staged.py").write_text("x = 2\n")
    git("add", "staged.py")
    (tmp_path / "edited.py").write_text("x = 2\n")
    (tmp_path / "new.py").write_text("x = 2\n")
    assert changed_files(base="main", root=tmp_path) == ["committed.py", "edited.py", "new.py", "staged.py"]


def test_a_slice_is_the_modules_tests_and_its_contracts_conformance_tests():
    for module in MODULES:
        commands = slice_commands([module])
        assert [c[:3] for c in commands] == [[sys.executable, "-m", "pytest"]] * len(commands)
        assert commands[-1][3:] == [CONFORMANCE, "-k", f"test_{module}_"]
        if (ROOT / "modules" / module / "tests").is_dir():
            assert commands[0][3:] == [f"modules/{module}/tests"]
    both = slice_commands(["pricing", "inventory"], extra=["-q"])
    assert [c[3:] for c in both] == [
        ["-q", "modules/pricing/tests", "modules/inventory/tests"],
        ["-q", CONFORMANCE, "-k", "test_pricing_ or test_inventory_"],
    ]


def test_the_conformance_tests_of_a_contract_are_named_after_its_module():
    # The slice selects them by name: every conformance test that takes a contract names the module it tests.
    text = (ROOT / CONFORMANCE).read_text()
    for name in re.findall(r"^def (test_\w+)\(contract\b", text, re.MULTILINE):
        assert any(name.startswith(f"test_{module}_") for module in MODULES), name


def test_make_runs_one_slice_with_module_and_everything_without():
    def dry_run(*args: str) -> str:
        # Not a sub-make of the `make test` that may be running this test: no "Entering directory" lines, no flags.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
        command = ["make", "--no-print-directory", "-n", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout

    sliced = dry_run("test", "MODULE=inventory")
    assert "manage.py architecture check" in sliced and "manage.py architecture slice inventory" in sliced
    assert ".venv/bin/pytest\n" not in sliced
    whole = dry_run("test")  # what .ci/run calls: the whole suite, as before
    assert "manage.py architecture check" in whole and ".venv/bin/pytest\n" in whole and "pytest tests/e2e" in whole
    affected = dry_run("test-affected")
    assert 'modules="$(' in affected and "architecture affected --base main)\" && " in affected
    assert affected.rstrip().endswith("architecture slice $modules")
