"""Admin glue every module shares: actions that need a permission of their own and leave a trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.http import HttpRequest


def permission_check(codename: str) -> Callable[[Any, HttpRequest], bool]:
    """Return a ``has_<codename>_permission`` method for a ModelAdmin: the user needs ``<app>.<codename>``.

    Used with ``@admin.action(permissions=[codename])``, so an action that
    refunds money or replays events is not open to whoever may merely view.
    """

    def has_permission(self: Any, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    has_permission.__name__ = f"has_{codename}_permission"
    return has_permission


def action_log(*, request: HttpRequest, obj: models.Model, message: str) -> None:
    """Write Django's admin log entry for an action on ``obj``: who, what, when (shown in its history)."""
    LogEntry.objects.log_actions(user_id=request.user.pk, queryset=[obj], action_flag=CHANGE, change_message=message, single_object=True)
