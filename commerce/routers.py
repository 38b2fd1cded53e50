"""Route each module's tables to the database it lives in."""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Apps whose tables live with every module: the event bus keeps each module's
# outbox and inbox in that module's own database, so they commit together.
SHARED_EVERYWHERE = {"eventbus"}


def module_of(app_label: str) -> str | None:
    return app_label if app_label in settings.MODULE_DATABASES else None


def module_database(module: str) -> str:
    """Return the database alias where ``module`` keeps its tables."""
    return settings.MODULE_DATABASES.get(module, "default")


class ModuleRouter:
    """Map module → database alias, and refuse relations across modules."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        module = module_of(model._meta.app_label)
        return module_database(module) if module else None

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        module1, module2 = module_of(obj1._meta.app_label), module_of(obj2._meta.app_label)
        if module1 and module2 and module1 != module2:
            return False
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        module = module_of(app_label)
        if module:
            return db == module_database(module)
        if app_label in SHARED_EVERYWHERE:
            return db == "default" or db in settings.MODULE_DATABASES.values()
        return db == "default"
