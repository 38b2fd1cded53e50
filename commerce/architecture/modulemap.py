"""The module map, from the code: modules, their contracts, events, endpoints and periodic tasks.

Sources: ``contracts.container`` (the modules and each one's Protocol), the
source of each module (``ast``: which events it constructs and publishes,
which contracts it calls through ``services()``), the subscriptions
registry (who subscribes), each installed module's URL patterns and each
module's ``AppConfig.periodic_tasks``. Rendered as Mermaid, Markdown (the
committed ``docs/architecture.md``), JSON or one self-contained HTML page.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

from commerce.architecture.source import ROOT, SourceFile, python_files, resolve, source_file
from contracts.container import MODULES, contract_protocols


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if (doc or "").strip() else ""


def _annotation(value: object) -> str:
    # Annotations are the source text under ``from __future__ import annotations``; classes otherwise.
    return value if isinstance(value, str) else inspect.formatannotation(value)


def signature_text(function: object) -> str:
    """Return a method's signature as written, without ``self``: ``(*, skus: Sequence[str]) -> Mapping[str, Price]``."""
    signature = inspect.signature(function)
    parts, keyword_only_marked = [], False
    for parameter in signature.parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind is parameter.KEYWORD_ONLY and not keyword_only_marked:
            parts.append("*")
            keyword_only_marked = True
        keyword_only_marked = keyword_only_marked or parameter.kind is parameter.VAR_POSITIONAL
        text = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "") + parameter.name
        if parameter.annotation is not parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            text += f" = {parameter.default!r}"
        parts.append(text)
    returns = "" if signature.return_annotation is signature.empty else f" -> {_annotation(signature.return_annotation)}"
    return f"({', '.join(parts)}){returns}"


def contract_methods(protocol: type) -> list[dict[str, str]]:
    """Return each method a contract Protocol declares, with its signature as written (types included)."""
    return [
        {"name": name, "signature": signature_text(member), "doc": _first_line(member.__doc__)}
        for name, member in vars(protocol).items()
        if not name.startswith("_") and inspect.isfunction(member)
    ]


def _module_sources(root: Path, module: str) -> list[SourceFile]:
    found = []
    for path in python_files(root, f"modules/{module}"):
        rel = path.relative_to(root).parts
        if "tests" in rel or "migrations" in rel:
            continue
        source = source_file(root, path)
        if isinstance(source, SourceFile):
            found.append(source)
    return found


def code_facts(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    """Return, per module, the events its code constructs and publishes and the contract calls it makes."""
    from contracts.events import event_types_all

    event_classes = {f"{cls.__module__}.{cls.__qualname__}": cls.name for cls in event_types_all().values()}
    facts: dict[str, dict[str, Any]] = {}
    for module in MODULES:
        published: dict[str, list[str]] = {}
        calls: dict[str, set[str]] = {}
        publishes_anything = False
        for source in _module_sources(root, module):
            for node in ast.walk(source.tree):
                if isinstance(node, ast.Call):
                    target = resolve(node.func, source.imports) or ""
                    if target in {"contracts.events.publish", "contracts.events.publish_many"}:
                        publishes_anything = True
                    elif target in event_classes:
                        published.setdefault(event_classes[target], []).append(f"{source.rel}:{node.lineno}")
                elif (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Attribute)
                    and isinstance(node.value.value, ast.Call)
                    and resolve(node.value.value.func, source.imports) == "contracts.container.services"
                    and node.value.attr != module
                ):
                    calls.setdefault(node.value.attr, set()).add(node.attr)
        facts[module] = {
            "publishes": published if publishes_anything else {},
            "calls": {other: sorted(names) for other, names in sorted(calls.items())},
        }
    return facts


def _endpoints(module: str) -> list[dict[str, Any]]:
    from django.apps import apps
    from django.urls import URLPattern, URLResolver

    if not apps.is_installed(f"modules.{module}"):
        return []
    try:
        urls = importlib.import_module(f"modules.{module}.api.urls")
    except ImportError:
        return []
    found = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                callback = pattern.callback
                view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                if getattr(callback, "actions", None):
                    methods = sorted(m.upper() for m in callback.actions)
                elif view is not None:
                    methods = [m.upper() for m in view.http_method_names if m not in {"options", "head"} and hasattr(view, m)]
                else:
                    methods = ["ANY"]
                found.append(
                    {
                        "path": prefix + str(pattern.pattern),
                        "methods": methods,
                        "name": pattern.name or "",
                        "view": (view or callback).__name__,
                    }
                )

    walk(list(urls.urlpatterns), f"/api/v1/{module}/")
    return found


def _periodic_tasks(module: str) -> list[dict[str, Any]]:
    from django.apps import AppConfig

    configs = importlib.import_module(f"modules.{module}.apps")
    for value in vars(configs).values():
        if isinstance(value, type) and issubclass(value, AppConfig) and getattr(value, "name", None) == f"modules.{module}":
            return [
                {"name": name, "task": task, "seconds": seconds}
                for name, (task, seconds) in sorted(getattr(value, "periodic_tasks", {}).items())
            ]
    return []


def map_build(root: Path = ROOT) -> dict[str, Any]:
    """Return the map as plain data (what the JSON format prints)."""
    from contracts.events import event_types_all, subscriptions_for

    facts = code_facts(root)
    protocols = contract_protocols()
    events = []
    for name, cls in sorted(event_types_all().items()):
        if not cls.__module__.startswith("contracts."):
            continue
        subscribers = sorted(
            (
                {"module": s.module, "subscriber": s.name, "handler": f"{s.handler.__module__}.{s.handler.__qualname__}"}
                for s in subscriptions_for(name)
                if s.module in MODULES
            ),
            key=lambda s: s["subscriber"],
        )
        publishers = [module for module in MODULES if name in facts[module]["publishes"]]
        events.append(
            {
                "name": name,
                "class": f"{cls.__module__}.{cls.__qualname__}",
                "version": cls.version,
                "declared_publisher": cls.publisher,
                "publishers": publishers,
                "published_at": {module: facts[module]["publishes"][name] for module in publishers},
                "fields": {f: str(t) for f, t in cls.__annotations__.items() if f not in {"name", "publisher", "version"}},
                "subscribers": subscribers,
            }
        )
    modules = []
    for module in MODULES:
        protocol = protocols[module]
        modules.append(
            {
                "name": module,
                "contract": {
                    "protocol": f"{protocol.__module__}.{protocol.__qualname__}",
                    "methods": contract_methods(protocol),
                },
                "calls": facts[module]["calls"],
                "publishes": [e["name"] for e in events if module in e["publishers"]],
                "subscribes": sorted({e["name"] for e in events for s in e["subscribers"] if s["module"] == module}),
                "endpoints": _endpoints(module),
                "periodic_tasks": _periodic_tasks(module),
            }
        )
    return {"modules": modules, "events": events}


# --- renderers ---------------------------------------------------------------------------------------------------
