"""The runtime boundary guard (tests): a query from one module's code into another module's tables fails.

Installed by the test settings on every database connection (an
``execute_wrapper``). For each statement it finds the tables it names that
some module owns (from the app registry) and the module whose code is
running: the innermost frame of the call stack under ``modules/<name>/``.
The event bus, ``commerce`` and ``kernel`` are not modules: their frames are
looked through, so the bus writing an outbox row for checkout is checkout's
business, and a subscriber's handler runs as its own module.

A violation raises ``BoundaryViolation``, a ``BaseException`` on purpose: the
code in between (a handler's ``except Exception``, the bus's retry) must not
swallow it; pytest reports it as the failure of the test that ran it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from commerce.architecture.source import ROOT
from contracts.container import MODULES

logger = logging.getLogger(__name__)
_MODULES_DIR = str(ROOT / "modules") + "/"
_IDENTIFIER = re.compile(r'"([A-Za-z0-9_]+)"|`([A-Za-z0-9_]+)`|\b([a-z][a-z0-9_]*)\b')


class BoundaryViolation(BaseException):  # noqa: N818  (a verdict, not an error to handle)
    """Module code queried another module's tables."""


@cache
def tables_owned() -> dict[str, str]:
    """Return table → module for every table of every installed module (auto-created many-to-many tables too)."""
    from django.apps import apps

    return {
        model._meta.db_table: model._meta.app_label
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in MODULES
    }


def running_module() -> tuple[str, str] | None:
    """Return (module, "file:line") of the innermost frame running a module's code, if any does."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_MODULES_DIR):
            name = filename[len(_MODULES_DIR) :].split("/", 1)[0]
            if name in MODULES:
                return name, f"{Path(filename).relative_to(ROOT).as_posix()}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def tables_named(sql: str, owned: dict[str, str]) -> set[str]:
    return {name for match in _IDENTIFIER.finditer(sql) for name in match.groups() if name and name in owned}


def boundary_guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """The execute wrapper: run the statement unless module code reaches another module's tables."""
    owned = tables_owned()
    if isinstance(sql, str) and (named := tables_named(sql, owned)):
        running = running_module()
        if running is not None:
            module, where = running
            foreign = sorted(table for table in named if owned[table] != module)
            if foreign:
                owners = sorted({owned[table] for table in foreign})
                message = (
                    f"module {module} queried the tables of module {', '.join(owners)} "
                    f"({', '.join(foreign)}) from {where}: {sql[:200]}"
                )
                logger.error("%s", message)  # seen even when raised in a server or delivery thread
                raise BoundaryViolation(message)
    return execute(sql, params, many, context)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if boundary_guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(boundary_guard)


def guard_install() -> None:
    """Install the guard on every database connection opened from now on (called by the test settings)."""
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection_created, dispatch_uid="commerce.architecture.guard")
