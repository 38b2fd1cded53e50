"""The boundary check: the import contracts plus what Django lets cross a module without any import.

Rules (each violation names the file, the line, the rule and both modules):

- ``import-contracts``: a contract of ``importlinter.ini`` is broken (run by import-linter);
- ``contracts-stdlib``: ``contracts/`` imports something other than the standard library and itself;
- ``model-relation``: a relation field (or its ``through``) points at another module's model;
- ``get-model``: ``apps.get_model``/``get_app_config`` of another module (or its model);
- ``signal-receiver``: a signal receiver bound to another module's model (string, class, or found in the registry);
- ``dynamic-import``: ``importlib.import_module``, ``__import__``, ``import_string``... of another module;
- ``migration-dependency``: a migration depends on (or runs before) another module's migration;
- ``raw-sql``: a string naming another module's table;
- ``model-reference``: any other string naming another module's model (``"catalog.Product"``);
- ``module-path``: any other string naming a dotted path into another module (``"modules.pricing.tasks.x"``).

The rules read ``modules/<name>/`` (tests and migrations included) against
the other modules, and ``kernel/`` against every module: it knows no domain.
There is no allow-list: a violation is fixed, never excused.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from commerce.architecture.source import (
    ROOT,
)
from commerce.architecture.static import Violation, check_source
from contracts.container import MODULES


def _where(obj: object, root: Path) -> tuple[str, int, str | None]:
    """Return (path relative to root, line, owning module) of a class or function, by introspection."""
    import inspect

    target = inspect.unwrap(getattr(obj, "__func__", obj))
    try:
        file = Path(inspect.getsourcefile(target) or "")
        line = inspect.getsourcelines(target)[1]
    except (OSError, TypeError):
        return "?", 0, None
    try:
        rel = file.resolve().relative_to(root)
    except ValueError:
        return str(file), line, None
    parts = rel.parts
    owner = parts[1] if len(parts) > 2 and parts[0] == "modules" else None
    return rel.as_posix(), line, owner


def relations_across(models: Iterable[type], *, root: Path = ROOT, modules: tuple[str, ...] = MODULES) -> list[Violation]:
    """Return every relation field of a module's model that points at another module's model (strings resolved)."""
    found = []
    for model in models:
        own = model._meta.app_label
        if own not in modules:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            related = getattr(field, "related_model", None)
            if not field.is_relation or related is None or not getattr(field, "concrete", False) and not field.many_to_many:
                continue
            other = related.split(".")[0] if isinstance(related, str) else related._meta.app_label
            if other != own:
                path, line, _ = _where(model, root)
                found.append(
                    Violation(
                        path=path, line=line, rule="model-relation", source=own, target=other,
                        detail=f"{own}.{model.__name__}.{field.name} -> {other}",
                    )
                )
    return found


def check_registry(root: Path = ROOT, modules: tuple[str, ...] = MODULES) -> list[Violation]:
    """Return the violations the app registry shows: relations and signal receivers across modules."""
    from django.apps import apps
    from django.db.models import signals

    if not apps.ready:
        return []
    models = {id(model): model for model in apps.get_models(include_auto_created=True)}
    found = relations_across(models.values(), root=root, modules=modules)
    for signal_name in ("pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed"):
        signal = getattr(signals, signal_name)
        for entry in list(signal.receivers):
            lookup_key, reference = entry[0], entry[1]
            model = models.get(lookup_key[1])
            receiver = reference() if callable(reference) and type(reference).__name__ in {"ReferenceType", "WeakMethod"} else reference
            if model is None or receiver is None:
                continue
            path, line, owner = _where(receiver, root)
            other = model._meta.app_label
            if owner and owner in modules and other in modules and owner != other:
                found.append(
                    Violation(
                        path=path, line=line, rule="signal-receiver", source=owner, target=other,
                        detail=f"{getattr(receiver, '__qualname__', receiver)} receives {signal_name} of {other}.{model.__name__}",
                    )
                )
    return found


_BROKEN_PAIR = re.compile(r"^(\S+) is not allowed to import (\S+):$")
_CHAIN_LINK = re.compile(r"^-\s+(\S+) -> (\S+) \(l\.(\d+)")


def lint_imports(root: Path = ROOT) -> list[Violation]:
    """Run import-linter on ``root`` (its own ``importlinter.ini``) and return each broken import as a violation."""
    executable = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    result = subprocess.run(
        [str(executable), "--no-cache", "importlinter.ini"], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode == 0:
        return []
    found = []
    lines = result.stdout.splitlines()
    contract, pair = "", ("?", "?")
    for number, line in enumerate(lines):
        if number + 1 < len(lines) and lines[number + 1].startswith("---") and line and not line.startswith("-"):
            contract = line.strip()
        elif match := _BROKEN_PAIR.match(line.strip()):
            pair = (match.group(1), match.group(2))
        elif contract and (match := _CHAIN_LINK.match(line.strip())):
            importer = match.group(1)
            path = _path_of(root, importer)
            found.append(
                Violation(
                    path=path, line=int(match.group(3)), rule="import-contracts", source=pair[0], target=pair[1],
                    detail=f"{contract}: {importer} -> {match.group(2)}",
                )
            )
    if not found:
        detail = (result.stdout + result.stderr).strip().splitlines()
        found.append(
            Violation(path="importlinter.ini", line=0, rule="import-contracts", source="?", target="?", detail=" / ".join(detail[-5:]))
        )
    return found


def _path_of(root: Path, dotted: str) -> str:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate.relative_to(root).as_posix()
    return dotted


def check(root: Path = ROOT, *, registry: bool | None = None, imports: bool = True) -> list[Violation]:
    """Return every violation in the tree at ``root``, sorted, each once.

    The app registry is consulted only for the running tree (``registry``
    defaults to ``root`` being it): a copy is read from its source alone.
    """
    registry = root.resolve() == ROOT if registry is None else registry
    found = check_source(root)
    if registry:
        found += check_registry(root)
    if imports:
        found += lint_imports(root)
    unique: dict[tuple[str, int, str, str], Violation] = {}
    for violation in found:
        unique.setdefault((violation.path, violation.line, violation.rule, violation.target), violation)
    return sorted(unique.values())
