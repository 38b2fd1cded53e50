"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse

from kernel.problems import PROBLEM_CONTENT_TYPE, problem_body

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process is alive; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _database_ok(alias: str) -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means not ready; the reason is reported
        return f"{type(exc).__name__}: {exc}"
    return None


def _broker_ok() -> str | None:
    from commerce.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when every database and the broker (if configured) answer, else 503 naming what failed.

    Only the names of the failing components are published; the errors (which
    carry hosts, ports and database names) go to the log.
    """
    checks: dict[str, str] = {}
    failures: dict[str, str] = {}
    for alias in settings.DATABASES:
        error = _database_ok(alias)
        checks[f"database:{alias}"] = "ok" if error is None else "failing"
        if error:
            failures[f"database:{alias}"] = error
    if settings.CELERY_BROKER_URL:
        error = _broker_ok()
        checks["broker"] = "ok" if error is None else "failing"
        if error:
            failures["broker"] = error
    if failures:
        for component, error in sorted(failures.items()):
            logger.warning("not ready: %s failing: %s", component, error)
        return JsonResponse(
            problem_body(
                status=503,
                code="not_ready",
                detail="Not ready: " + ", ".join(sorted(failures)),
                checks=checks,
                failures=sorted(failures),
            ),
            status=503,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return JsonResponse({"status": "ready", "checks": checks})
