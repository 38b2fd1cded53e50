"""Reading the source tree: its Python files, who owns each, what each name was imported as, and each module's models.

Static on purpose: a copy of the tree (a test injecting a leak) is read the
same way as the real one, without importing it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from contracts.container import MODULES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("commerce", "modules", "kernel", "contracts")


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    path: Path
    rel: str  # POSIX path relative to the tree's root
    dotted: str  # the Python module it is, e.g. modules.checkout.services.orders
    module: str | None  # the module that owns it (modules/<name>/...), None outside modules
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name -> absolute dotted name


def python_files(root: Path, folder: str) -> Iterator[Path]:
    """Yield the Python files under ``root/folder`` in a stable order, skipping caches."""
    base = root / folder
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def dotted_of(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def owner_of(rel: Path, modules: tuple[str, ...] = MODULES) -> str | None:
    """Return the module owning a path relative to the root (``modules/<name>/...``), if any."""
    parts = rel.parts
    if len(parts) >= 2 and parts[0] == "modules" and parts[1] in modules:
        return parts[1]
    return None


def module_of_dotted(name: str, modules: tuple[str, ...] = MODULES) -> str | None:
    """Return the module a dotted name lives in (``modules.pricing.models`` -> pricing), if any."""
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == "modules" and parts[1] in modules:
        return parts[1]
    return None


def _imports_of(tree: ast.Module, dotted: str, is_package: bool) -> dict[str, str]:
    package = dotted if is_package else dotted.rpartition(".")[0]
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return names


def source_file(root: Path, path: Path, modules: tuple[str, ...] = MODULES) -> SourceFile | SyntaxError:
    rel = path.relative_to(root)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        return exc
    dotted = dotted_of(rel)
    return SourceFile(
        path=path,
        rel=rel.as_posix(),
        dotted=dotted,
        module=owner_of(rel, modules),
        tree=tree,
        imports=_imports_of(tree, dotted, path.name == "__init__.py"),
    )


def docstring_nodes(tree: ast.AST) -> set[int]:
    """Return the ids of the string constants that are docstrings (they document, they do not run)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def string_prefix(node: ast.AST | None) -> str | None:
    """Return the constant text a string expression starts with (a literal, an f-string, a concatenation)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            else:
                break
        return text
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_prefix(node.left)
        if isinstance(node.left, ast.Constant) and left is not None:
            return left + (string_prefix(node.right) or "")
        return left
    return None


def call_name(node: ast.Call) -> str:
    """Return the last name of what is called: ``apps.get_model(...)`` -> ``get_model``."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def resolve(node: ast.AST, imports: dict[str, str]) -> str | None:
    """Return the absolute dotted name an expression refers to through the file's imports, if it does."""
    if isinstance(node, ast.Name):
        return imports.get(node.id)
    if isinstance(node, ast.Attribute):
        base = resolve(node.value, imports)
        return f"{base}.{node.attr}" if base else None
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInfo:
    module: str
    name: str
    table: str


def models_static(root: Path, modules: tuple[str, ...] = MODULES) -> list[ModelInfo]:
    """Return each module's concrete models as written in its ``models`` (module or package), with their tables."""
    found = []
    for module in modules:
        folder = root / "modules" / module
        paths = [folder / "models.py", *sorted((folder / "models").glob("*.py"))]
        for path in paths:
            if not path.is_file():
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except SyntaxError:
                continue
            local_models: set[str] = set()
            for node in tree.body:
                bases = {(b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")) for b in node.bases} if isinstance(
                    node, ast.ClassDef
                ) else set()
                if any(base.endswith("Model") or base in local_models for base in bases):
                    local_models.add(node.name)
                    meta = {"abstract": False, "db_table": None}
                    for inner in node.body:
                        if isinstance(inner, ast.ClassDef) and inner.name == "Meta":
                            for statement in inner.body:
                                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
                                    for target in statement.targets:
                                        if isinstance(target, ast.Name) and target.id in meta:
                                            meta[target.id] = statement.value.value
                    if meta["abstract"]:
                        continue
                    found.append(ModelInfo(module=module, name=node.name, table=meta["db_table"] or f"{module}_{node.name.lower()}"))
    return found


def models_registered(modules: tuple[str, ...] = MODULES) -> list[ModelInfo]:
    """Return the models of every installed module from the app registry, auto-created many-to-many tables included."""
    from django.apps import apps

    if not apps.ready:
        return []
    return [
        ModelInfo(module=model._meta.app_label, name=model.__name__, table=model._meta.db_table)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in modules
    ]


def models_all(root: Path, modules: tuple[str, ...] = MODULES) -> list[ModelInfo]:
    seen = {}
    for info in [*models_static(root, modules), *models_registered(modules)]:
        seen.setdefault((info.module, info.name.lower(), info.table), info)
    return list(seen.values())
