"""Recommendations touch nothing else: no other module's code imports, calls or names them.

The module was added after the fact and learns only from events the others
already published; the proof is that nothing outside it (and the composition
root's lists of modules) knows it exists. The boundary check (import-linter,
``manage.py architecture check``) holds it to the same rules as every module.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from commerce.architecture.slices import import_graph
from commerce.architecture.source import ROOT
from contracts.container import MODULES

NAME = re.compile(r"recommendation", re.IGNORECASE)


def test_no_other_module_nor_the_kernel_names_recommendations():
    others = [path for path in (ROOT / "modules").rglob("*") if path.is_file() and path.suffix in {".py", ".html", ".md", ".txt"}]
    others += [path for path in (ROOT / "kernel").rglob("*.py")]
    naming = [
        str(path.relative_to(ROOT))
        for path in others
        if "recommendations" not in path.relative_to(ROOT).parts[:2] and NAME.search(path.read_text(errors="replace"))
    ]
    assert naming == []


def test_nothing_but_the_module_imports_or_calls_its_contract():
    graph = import_graph()
    importers = graph.find_downstream_modules("contracts.recommendations") | graph.find_downstream_modules("modules.recommendations")
    outside = {name for name in importers if name.startswith(("modules.", "kernel.")) and not name.startswith("modules.recommendations")}
    assert outside == set()
    # and the module reaches the others only through their contracts (what any module may do)
    assert not {m for m in MODULES if m != "recommendations" and graph.chain_exists(importer="modules.recommendations", imported=f"modules.{m}")}


def test_it_passes_the_boundary_checks():
    out = io.StringIO()
    call_command("architecture", "check", stdout=out)
    assert "recommendations" in out.getvalue() and "no violation" in out.getvalue()
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--config", str(ROOT / "importlinter.ini")], capture_output=True, text=True, cwd=ROOT
    )
    assert "modules.recommendations" in (ROOT / "importlinter.ini").read_text()
    assert lint.returncode == 0 and "BROKEN" not in lint.stdout and "KEPT" in lint.stdout, lint.stdout + lint.stderr
