"""The boundary check's source rules: what ``modules/*`` and ``kernel/`` code names of another module (``ast``).

The rules are listed in ``check.py``; this file finds, in the source alone,
every violation but a broken import contract and what only the app registry
knows (``check.py`` adds those).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from commerce.architecture.source import (
    ROOT,
    ModelInfo,
    SourceFile,
    call_name,
    docstring_nodes,
    models_all,
    module_of_dotted,
    python_files,
    resolve,
    source_file,
    string_prefix,
)
from contracts.container import MODULES

RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject", "ParentalKey"}
DYNAMIC_IMPORTS = {"import_module", "__import__", "import_string", "find_spec", "locate", "autodiscover_modules"}
REGISTRY_LOOKUPS = {"get_model", "get_app_config", "get_registered_model"}
SIGNAL_CONNECTS = {"connect", "disconnect", "receiver"}


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Violation:
    path: str  # relative to the tree's root
    line: int
    rule: str
    source: str  # the module (or layer) whose code crosses
    target: str  # the module (or package) it reaches
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.source} -> {self.target}: {self.detail}"


class _Index:
    """What each module owns, for recognising references to it: its model names and its tables."""

    def __init__(self, models: Iterable[ModelInfo], modules: tuple[str, ...]) -> None:
        self.modules = modules
        self.models: dict[str, set[str]] = {m: set() for m in modules}
        self.tables: dict[str, set[str]] = {m: set() for m in modules}
        for info in models:
            self.models[info.module].add(info.name.lower())
            self.tables[info.module].add(info.table)
        self.table_patterns = {
            module: re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, tables), key=len, reverse=True)) + r")(?!\w)")
            for module, tables in self.tables.items()
            if tables
        }

    def model_label(self, text: str) -> str | None:
        """Return the module of a ``"<module>.<Model>"`` label, when it names one of that module's models."""
        label, dot, name = text.partition(".")
        if dot and label in self.models and name.lower() in self.models[label]:
            return label
        return None

    def module_named(self, text: str) -> str | None:
        """Return the module a string names: a model label, a bare app label, or a dotted path into it."""
        if text in self.modules:
            return text
        return self.model_label(text) or module_of_dotted(text, self.modules)


class _Snippet:
    """The source of a node, unparsed only when a violation is reported."""

    def __init__(self, node: ast.AST) -> None:
        self.node = node

    def __str__(self) -> str:
        text = ast.unparse(self.node)
        return text if len(text) <= 120 else text[:117] + "..."


class _ModuleVisitor(ast.NodeVisitor):
    def __init__(self, source: SourceFile, index: _Index) -> None:
        self.source = source
        self.own = source.module or source.dotted.split(".")[0]  # kernel: it knows no module at all
        self.index = index
        self.found: list[Violation] = []
        self.consumed: set[int] = docstring_nodes(source.tree)

    def add(self, node: ast.AST, rule: str, target: str, detail: object) -> None:
        if target and target != self.own:
            self.found.append(
                Violation(
                    path=self.source.rel, line=getattr(node, "lineno", 0), rule=rule, source=self.own, target=target, detail=str(detail)
                )
            )

    def target_of(self, node: ast.AST) -> str | None:
        """Return the other module an argument refers to: a string label or path, or a name imported from it."""
        text = string_prefix(node)
        if text is not None:
            return self.index.module_named(text)
        if isinstance(node, ast.Call) and call_name(node) in REGISTRY_LOOKUPS and node.args:
            return self.target_of(node.args[0])
        dotted = resolve(node, self.source.imports)
        return module_of_dotted(dotted, self.index.modules) if dotted else None

    def consume(self, node: ast.AST) -> None:
        for inner in ast.walk(node):
            self.consumed.add(id(inner))

    def visit_Call(self, node: ast.Call) -> None:
        name = call_name(node) if id(node) not in self.consumed else ""
        snippet = _Snippet(node)
        if name in RELATION_FIELDS:
            for arg in [*node.args[:1], *(k.value for k in node.keywords if k.arg in {"to", "through"})]:
                if target := self.target_of(arg):
                    self.add(node, "model-relation", target, snippet)
                    self.consume(arg)
        elif name in REGISTRY_LOOKUPS:
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg in {"app_label", "model"})]
            for arg in args:
                if target := self.target_of(arg):
                    self.add(node, "get-model", target, snippet)
                    self.consume(node)
                    break
        elif name in SIGNAL_CONNECTS:
            for keyword in node.keywords:
                if keyword.arg == "sender" and (target := self.target_of(keyword.value)):
                    self.add(node, "signal-receiver", target, snippet)
                    self.consume(keyword.value)
        elif name in DYNAMIC_IMPORTS:
            for arg in [*node.args[:1], *(k.value for k in node.keywords if k.arg in {"name", "dotted_path", "package"})]:
                text = string_prefix(arg)
                if text is not None and (target := module_of_dotted(text, self.index.modules) or self._bare_module(text)):
                    self.add(node, "dynamic-import", target, snippet)
                    self.consume(arg)
        self.generic_visit(node)

    def _bare_module(self, text: str) -> str | None:
        # import_module("modules.pricing"), or a prefix cut off by an f-string: import_module(f"modules.pricing{x}")
        parts = text.split(".")
        if parts[0] == "modules" and len(parts) >= 2:
            for module in self.index.modules:
                if parts[1] == module or (len(parts) == 2 and parts[1].startswith(module)):
                    return module
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        if "/migrations/" in f"/{self.source.rel}" and any(
            isinstance(t, ast.Name) and t.id in {"dependencies", "run_before"} for t in node.targets
        ):
            for element in getattr(node.value, "elts", []):
                if isinstance(element, ast.Tuple | ast.List) and element.elts:
                    label = string_prefix(element.elts[0])
                    if label in self.index.modules:
                        self.add(element, "migration-dependency", label, ast.unparse(element))
                    self.consume(element)
                elif isinstance(element, ast.Call) and (target := self.target_of(element.args[0] if element.args else element)):
                    self.add(element, "migration-dependency", target, ast.unparse(element))
                    self.consume(element)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str) or id(node) in self.consumed:
            return
        text = node.value
        short = text if len(text) <= 80 else text[:77] + "..."
        for module, pattern in self.index.table_patterns.items():
            if module != self.own and (match := pattern.search(text)):
                self.add(node, "raw-sql", module, f"table {match.group(1)} in {short!r}")
        if target := self.index.model_label(text):
            self.add(node, "model-reference", target, repr(short))
        elif target := module_of_dotted(text, self.index.modules):
            self.add(node, "module-path", target, repr(short))


def _contracts_imports(source: SourceFile) -> list[Violation]:
    allowed = set(sys.stdlib_module_names) | {"__future__", "contracts"}
    found = []
    for node in ast.walk(source.tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and call_name(node) in DYNAMIC_IMPORTS and node.args:
            text = string_prefix(node.args[0])
            names = [text] if text else []
        for name in names:
            top = name.split(".")[0]
            if top and top not in allowed:
                found.append(
                    Violation(
                        path=source.rel,
                        line=node.lineno,
                        rule="contracts-stdlib",
                        source=source.dotted,
                        target=top,
                        detail=f"contracts import the standard library only, not {name}",
                    )
                )
    return found


def check_source(root: Path = ROOT, modules: tuple[str, ...] = MODULES) -> list[Violation]:
    """Return the violations found by reading the source of ``root`` (static: no import, no registry)."""
    index = _Index(models_all(root, modules), modules)
    found: list[Violation] = []
    for folder in ("modules", "kernel", "contracts"):
        for path in python_files(root, folder):
            source = source_file(root, path, modules)
            if isinstance(source, SyntaxError):
                found.append(
                    Violation(path=path.relative_to(root).as_posix(), line=source.lineno or 0, rule="syntax", source="?", target="?", detail=str(source))
                )
                continue
            if folder == "contracts":
                found += _contracts_imports(source)
            elif source.module or folder == "kernel":
                visitor = _ModuleVisitor(source, index)
                visitor.visit(source.tree)
                found += visitor.found
    return found
