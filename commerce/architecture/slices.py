"""Per-module test slices, and which slices a change needs.

A module's slice is its own tests (``modules/<name>/tests``) and the
conformance tests of its contract (``tests/contracts/test_conformance.py``,
tests named ``test_<name>_...``); ``make test MODULE=<name>`` runs it after
the boundary check. ``make test-affected`` runs the slices of the modules a
change touches: the files changed since ``main`` (committed on this branch,
staged, unstaged or untracked), then everything that imports them, by the
import graph (grimp, import-linter's). One edge is drawn by hand: a
module depends on another's contract through the calls it makes with
``services().<other>``, not through ``contracts.container``, which names
every contract and would otherwise make every module depend on all of them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from commerce.architecture.source import PACKAGES, ROOT, dotted_of
from contracts.container import MODULES

CONFORMANCE = "tests/contracts/test_conformance.py"
# Files that every slice depends on: the build, the shared test set-up, the composition root.
EVERYTHING = ("pyproject.toml", "Makefile", "importlinter.ini", "conftest.py", "tests/settings.py", "tests/conftest.py")
EVERYTHING_UNDER = ("commerce/", "tests/contracts/", "tests/fakes/recording.py", "tests/fakes/__init__.py")


def _git(*args: str, root: Path) -> list[str]:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line]


def changed_files(*, base: str = "main", root: Path = ROOT) -> list[str]:
    """Return the files changed since ``base``: on this branch, staged, unstaged and untracked."""
    files = set(_git("diff", "--name-only", f"{base}...HEAD", root=root))
    files |= set(_git("diff", "--name-only", "HEAD", root=root))
    files |= set(_git("ls-files", "--others", "--exclude-standard", root=root))
    return sorted(files)


def import_graph(root: Path = ROOT) -> Any:
    """Return the import graph of the project, with contract dependencies drawn from ``services()`` calls."""
    import grimp

    from commerce.architecture.modulemap import code_facts

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    for module in MODULES:
        if graph.direct_import_exists(importer="contracts.container", imported=f"contracts.{module}"):
            graph.remove_import(importer="contracts.container", imported=f"contracts.{module}")
    for module, facts in code_facts(root).items():
        for other in facts["calls"]:
            graph.add_import(importer=f"modules.{module}", imported=f"contracts.{other}")
    return graph


def _owner(dotted: str) -> str | None:
    parts = dotted.split(".")
    if len(parts) >= 2 and parts[0] in {"modules", "contracts"} and parts[1] in MODULES:
        return parts[1]  # a module's code, or its contract
    return None


def affected_modules(files: Iterable[str], *, root: Path = ROOT, graph: Any = None) -> dict[str, str]:
    """Return the modules whose slices the changed ``files`` need, each with the first reason found."""
    affected: dict[str, str] = {}
    changed_code = []
    for name in files:
        path = Path(name)
        if name in EVERYTHING or name.startswith(EVERYTHING_UNDER):
            for module in MODULES:
                affected.setdefault(module, f"{name} serves every module")
            continue
        if path.parts[:2] == ("tests", "fakes") and path.stem in MODULES:
            affected.setdefault(path.stem, f"{name} (the fake of its contract)")
        elif len(path.parts) >= 2 and path.parts[0] == "modules" and path.parts[1] in MODULES:
            affected.setdefault(path.parts[1], name)
        if path.suffix == ".py" and path.parts[0] in PACKAGES:
            changed_code.append((name, dotted_of(path)))
    if changed_code:
        graph = graph if graph is not None else import_graph(root)
        known = graph.modules
        for name, dotted in changed_code:
            if dotted not in known:
                continue
            if owner := _owner(dotted):
                affected.setdefault(owner, name)
            for importer in sorted(graph.find_downstream_modules(dotted)):
                if owner := _owner(importer):
                    affected.setdefault(owner, f"{importer} depends on {name}")
    return {module: affected[module] for module in MODULES if module in affected}


def slice_commands(modules: Sequence[str], *, extra: Sequence[str] = ()) -> list[list[str]]:
    """Return the pytest runs of the slices of ``modules``: their own tests, then their contracts' conformance tests."""
    pytest = [sys.executable, "-m", "pytest", *extra]
    folders = [f"modules/{module}/tests" for module in modules if (ROOT / "modules" / module / "tests").is_dir()]
    commands = [[*pytest, *folders]] if folders else []
    commands.append([*pytest, CONFORMANCE, "-k", " or ".join(f"test_{module}_" for module in modules)])
    return commands


def slice_run(*, modules: Sequence[str], extra: Sequence[str] = (), stdout: Any = sys.stdout) -> int:
    """Run the slices of ``modules``; return the first failing exit status (0 when all pass)."""
    for command in slice_commands(modules, extra=extra):
        stdout.write(f"[slice {' '.join(modules)}] pytest {' '.join(command[3:])}\n")
        stdout.flush()
        status = subprocess.run(command, cwd=ROOT).returncode
        if status == 5:  # no test selected: modules without conformance tests of their own yet
            stdout.write("no test selected\n")
        elif status:
            return status
    return 0
