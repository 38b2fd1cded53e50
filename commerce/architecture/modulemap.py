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
import html
import importlib
import inspect
import json
import math
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


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(data: dict[str, Any]) -> str:
    """Return a Mermaid flowchart: each module with its contract, solid arrows for calls, dotted ones for events."""
    lines = ["flowchart LR"]
    for module in data["modules"]:
        protocol = module["contract"]["protocol"].rsplit(".", 1)[1]
        methods = "<br/>".join(m["name"] for m in module["contract"]["methods"])
        tasks = "".join(f"<br/>⏱ {t['name']}" for t in module["periodic_tasks"])
        endpoints = len(module["endpoints"])
        label = f"<b>{module['name']}</b><br/><i>{protocol}</i><br/>{methods}<br/>{endpoints} HTTP endpoint(s){tasks}"
        lines.append(f'    {module["name"]}["{label}"]')
    for module in data["modules"]:
        for other, methods in module["calls"].items():
            lines.append(f'    {module["name"]} -->|"{_mermaid_text(", ".join(methods))}"| {other}')
    edges: dict[tuple[str, str], list[str]] = {}
    for event in data["events"]:
        for publisher in event["publishers"]:
            for subscriber in sorted({s["module"] for s in event["subscribers"]}):
                edges.setdefault((publisher, subscriber), []).append(event["name"].split(".", 1)[1])
    for (publisher, subscriber), names in sorted(edges.items()):
        lines.append(f'    {publisher} -.->|"{_mermaid_text(", ".join(names))}"| {subscriber}')
    return "\n".join(lines) + "\n"


def render_markdown(data: dict[str, Any]) -> str:
    """Return the page committed as docs/architecture.md: the diagram, then every contract, event, endpoint and task."""
    out = [
        "# Module map",
        "",
        "<!-- Generated by `manage.py architecture map --format markdown` (`make map`); do not edit by hand."
        " tests/architecture/test_map.py keeps it equal to the code. -->",
        "",
        "Solid arrows are contract calls (`services().<module>.<method>`), dotted arrows events (publisher → subscriber).",
        "",
        "```mermaid",
        render_mermaid(data).rstrip("\n"),
        "```",
        "",
    ]
    for module in data["modules"]:
        out += [f"## {module['name']}", "", f"**Contract** `{module['contract']['protocol']}`", ""]
        out += ["| method | signature | what it does |", "|---|---|---|"]
        for method in module["contract"]["methods"]:
            signature = method["signature"].replace("|", "\\|")
            out.append(f"| `{method['name']}` | `{signature}` | {method['doc']} |")
        out.append("")
        if module["calls"]:
            calls = "; ".join(f"{other}: {', '.join(f'`{m}`' for m in methods)}" for other, methods in module["calls"].items())
            out += [f"**Calls** {calls}", ""]
        published = [e for e in data["events"] if module["name"] in e["publishers"]]
        if published:
            out += ["**Publishes**", "", "| event | payload | subscribers |", "|---|---|---|"]
            for event in published:
                payload = ", ".join(f"`{f}`" for f in event["fields"] if f not in {"event_id", "occurred_at"})
                subscribers = ", ".join(f"`{s['subscriber']}`" for s in event["subscribers"]) or "—"
                out.append(f"| `{event['name']}` v{event['version']} | {payload} | {subscribers} |")
            out.append("")
        if module["subscribes"]:
            out += [f"**Subscribes to** {', '.join(f'`{name}`' for name in module['subscribes'])}", ""]
        if module["endpoints"]:
            out += ["**HTTP endpoints**", "", "| path | methods | view |", "|---|---|---|"]
            for endpoint in module["endpoints"]:
                out.append(f"| `{endpoint['path']}` | {' '.join(endpoint['methods'])} | `{endpoint['view']}` |")
            out.append("")
        if module["periodic_tasks"]:
            out += ["**Periodic tasks**", "", "| name | task | every |", "|---|---|---|"]
            for task in module["periodic_tasks"]:
                out.append(f"| {task['name']} | `{task['task']}` | {task['seconds']} s |")
            out.append("")
    orphans = [e for e in data["events"] if not e["publishers"]]
    if orphans:
        out += ["## Events no module's code publishes", ""]
        out += [f"- `{e['name']}` (declared by {e['declared_publisher'] or '—'})" for e in orphans]
        out.append("")
    return "\n".join(out)


def _svg(data: dict[str, Any]) -> str:
    """Return an inline SVG: the modules on a circle, calls as solid arrows, events as dashed ones."""
    names = [m["name"] for m in data["modules"]]
    size, radius = 640, 230
    position = {
        name: (size / 2 + radius * math.cos(2 * math.pi * i / len(names) - math.pi / 2),
               size / 2 + radius * math.sin(2 * math.pi * i / len(names) - math.pi / 2))
        for i, name in enumerate(names)
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ]

    def arrow(a: str, b: str, label: str, dashed: bool, bend: float) -> None:
        (x1, y1), (x2, y2) = position[a], position[b]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1
        ux, uy = dx / length, dy / length
        sx, sy, ex, ey = x1 + ux * 55, y1 + uy * 30, x2 - ux * 55, y2 - uy * 30
        cx, cy = (sx + ex) / 2 - uy * bend, (sy + ey) / 2 + ux * bend
        style = ' stroke-dasharray="6 4"' if dashed else ""
        parts.append(
            f'<path d="M{sx:.0f},{sy:.0f} Q{cx:.0f},{cy:.0f} {ex:.0f},{ey:.0f}" fill="none" stroke="#555"{style} marker-end="url(#arrow)">'
            f"<title>{html.escape(label)}</title></path>"
        )
        parts.append(f'<text x="{cx:.0f}" y="{cy:.0f}" font-size="10" text-anchor="middle">{html.escape(label[:40])}</text>')

    for module in data["modules"]:
        for other, methods in module["calls"].items():
            if other in position:
                arrow(module["name"], other, ", ".join(methods), False, 20)
    for event in data["events"]:
        for publisher in event["publishers"]:
            for subscriber in sorted({s["module"] for s in event["subscribers"]} - {publisher}):
                arrow(publisher, subscriber, event["name"].split(".", 1)[1], True, -40)
    for name, (x, y) in position.items():
        parts.append(
            f'<rect x="{x - 55:.0f}" y="{y - 22:.0f}" width="110" height="44" rx="8" fill="#eef" stroke="#335"/>'
            f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle" font-weight="bold">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(data: dict[str, Any]) -> str:
    """Return one self-contained page (no outside resource, nothing to run): the drawing, the tables, the data as JSON."""
    body = []
    for module in data["modules"]:
        body.append(f"<h2 id='{module['name']}'>{html.escape(module['name'])}</h2>")
        body.append(f"<p>Contract <code>{html.escape(module['contract']['protocol'])}</code></p><table>")
        body.append("<tr><th>method</th><th>signature</th><th>what it does</th></tr>")
        for method in module["contract"]["methods"]:
            body.append(
                f"<tr><td><code>{html.escape(method['name'])}</code></td><td><code>{html.escape(method['signature'])}</code></td>"
                f"<td>{html.escape(method['doc'])}</td></tr>"
            )
        body.append("</table>")
        for title, rows in (
            ("Calls", [f"{other}: {', '.join(methods)}" for other, methods in module["calls"].items()]),
            ("Publishes", module["publishes"]),
            ("Subscribes to", module["subscribes"]),
            ("HTTP endpoints", [f"{' '.join(e['methods'])} {e['path']} ({e['view']})" for e in module["endpoints"]]),
            ("Periodic tasks", [f"{t['name']}: {t['task']} every {t['seconds']} s" for t in module["periodic_tasks"]]),
        ):
            if rows:
                body.append(f"<h3>{title}</h3><ul>" + "".join(f"<li><code>{html.escape(r)}</code></li>" for r in rows) + "</ul>")
    events = ["<h2>Events</h2><table><tr><th>event</th><th>publishers</th><th>subscribers</th></tr>"]
    for event in data["events"]:
        subscribers = ", ".join(s["subscriber"] for s in event["subscribers"]) or "—"
        events.append(
            f"<tr><td><code>{html.escape(event['name'])}</code></td><td>{html.escape(', '.join(event['publishers']) or '—')}</td>"
            f"<td>{html.escape(subscribers)}</td></tr>"
        )
    events.append("</table>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
        "code{font-size:.9em}"
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>Module map</title>"
        f"<style>{style}</style></head><body><h1>Module map</h1>"
        "<p>Solid arrows: contract calls. Dashed arrows: events, publisher to subscriber.</p>"
        f"{_svg(data)}{''.join(body)}{''.join(events)}"
        "<script type='application/json' id='map'>" + json.dumps(data).replace("</", "<\\/") + "</script></body></html>\n"
    )


def render(data: dict[str, Any], format: str) -> str:
    if format == "json":
        return json.dumps(data, indent=2) + "\n"
    if format == "mermaid":
        return render_mermaid(data)
    if format == "markdown":
        return render_markdown(data)
    if format == "html":
        return render_html(data)
    raise ValueError(f"unknown format {format!r}")
