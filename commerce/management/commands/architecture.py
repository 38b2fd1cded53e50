"""``manage.py architecture check|map|affected|slice``: the boundaries, the module map and per-module test slices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commerce.architecture.source import ROOT
from contracts.container import MODULES


class Command(BaseCommand):
    help = "Check the module boundaries, draw the module map, or run the test slices of some modules."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        check = commands.add_parser("check", help="import contracts + Django-aware boundary rules; exit 1 on any violation")
        check.add_argument("--root", type=Path, default=ROOT, help="the tree to check (default: this one)")
        check.add_argument("--no-imports", action="store_true", help="skip import-linter (the Django-aware rules only)")
        draw = commands.add_parser("map", help="the modules, contracts, events, endpoints and periodic tasks, from the code")
        draw.add_argument("--format", choices=("mermaid", "markdown", "json", "html"), default="mermaid")
        draw.add_argument("--output", type=Path, help="write here instead of standard output")
        affected = commands.add_parser("affected", help="print the modules whose slices a change since BASE needs")
        affected.add_argument("--base", default="main")
        affected.add_argument("--explain", action="store_true", help="say why each module is affected")
        run = commands.add_parser("slice", help="run the test slices of these modules (their tests + contract conformance)")
        run.add_argument("modules", nargs="*", metavar="MODULE", help=f"any of: {', '.join(MODULES)}")
        run.add_argument("--pytest-args", default="", help="extra pytest arguments, space-separated")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_check(self, *, root: Path, no_imports: bool, **_: Any) -> None:
        from commerce.architecture.check import check

        violations = check(root.resolve(), imports=not no_imports)
        for violation in violations:
            self.stdout.write(str(violation))
        if violations:
            raise CommandError(f"{len(violations)} boundary violation(s)", returncode=1)
        self.stdout.write(f"architecture check: {len(MODULES)} modules ({', '.join(MODULES)}), no violation")

    def handle_map(self, *, format: str, output: Path | None, **_: Any) -> None:
        from commerce.architecture.modulemap import map_build
        from commerce.architecture.modulemap_render import render

        text = render(map_build(), format)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def handle_affected(self, *, base: str, explain: bool, **_: Any) -> None:
        from commerce.architecture.slices import affected_modules, changed_files

        try:
            files = changed_files(base=base)
        except RuntimeError as exc:  # no such base, not a git checkout
            raise CommandError(str(exc)) from exc
        for module, reason in affected_modules(files).items():
            self.stdout.write(f"{module}: {reason}" if explain else module)

    def handle_slice(self, *, modules: list[str], pytest_args: str, **_: Any) -> None:
        from commerce.architecture.slices import slice_run

        if unknown := [module for module in modules if module not in MODULES]:
            raise CommandError(f"unknown module(s): {', '.join(unknown)}; the modules are {', '.join(MODULES)}")
        if not modules:
            self.stdout.write("no module to test")
            return
        status = slice_run(modules=modules, extra=pytest_args.split(), stdout=self.stdout)
        if status:
            sys.exit(status)
