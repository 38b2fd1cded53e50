"""Render every error as an RFC 9457 problem document; the one place errors meet HTTP statuses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from contracts.errors import Conflict, ContractError, InvalidInput, NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# What a client is told to wait when the database or broker is briefly away.
RETRY_AFTER_SECONDS = 5


# The most specific class wins: the MRO of the raised error is walked in order. A module adds the
# statuses of its own errors with ``contract_error_status_register`` (from its AppConfig.ready).
CONTRACT_ERROR_STATUS: dict[type[ContractError], int] = {
    InvalidInput: 400,
    NotFound: 404,
    Conflict: 409,
    ServiceUnavailable: 503,
    ContractError: 400,
}

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem_title(status: int) -> str:
    """Return the title problem documents carry for ``status``."""
    return _TITLES.get(status, "Error")


def problem_body(*, status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """Return the problem document for ``status`` and ``code``."""
    body: dict[str, Any] = {
        "type": f"https://errors.commerce.local/{code}",
        "title": problem_title(status),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({key: value for key, value in extra.items() if key not in body})
    return body


def contract_error_status_register(error_type: type[ContractError], status: int) -> None:
    """Answer ``error_type`` (and its subclasses, unless they have their own) with ``status``."""
    CONTRACT_ERROR_STATUS[error_type] = status


# A view's own statuses for some contract errors, by error class or by code (see ``exception_handler``).
StatusOverrides = Mapping[type[ContractError] | str, int]


def contract_error_status(error: ContractError, overrides: StatusOverrides | None = None) -> int:
    """Return the HTTP status for a contract error; ``overrides`` (a view's) win over the table.

    An override for the error's code wins; then the MRO of the error is
    walked from the most specific class, and at each class the view's own
    status is looked up first, then the shared table.
    """
    if overrides and error.code in overrides:
        return overrides[error.code]
    for klass in type(error).__mro__:
        if overrides and klass in overrides:
            return overrides[klass]
        if klass in CONTRACT_ERROR_STATUS:
            return CONTRACT_ERROR_STATUS[klass]
    return 400


def contract_error_document(
    error: ContractError, overrides: StatusOverrides | None = None
) -> dict[str, Any]:
    """Return the problem document for a contract error (``overrides``: see ``contract_error_status``)."""
    extra = dict(error.extra)
    errors = getattr(error, "errors", ())
    if errors:
        extra["errors"] = [{"field": e.field, "code": e.code, "detail": e.detail} for e in errors]
    return problem_body(status=contract_error_status(error, overrides), code=error.code, detail=error.detail, **extra)


def _flatten_validation(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            path = f"{prefix}.{field}" if prefix and field else (prefix or field)
            errors.extend(_flatten_validation(value, path))
    elif isinstance(detail, list):
        if all(isinstance(item, drf.ErrorDetail | str) for item in detail):
            for item in detail:
                errors.append({"field": prefix, "code": getattr(item, "code", "invalid"), "detail": str(item)})
        else:
            for index, item in enumerate(detail):
                errors.extend(_flatten_validation(item, f"{prefix}[{index}]"))
    else:
        errors.append({"field": prefix, "code": getattr(detail, "code", "invalid"), "detail": str(detail)})
    return errors


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=body["status"], headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: problem documents for contract, DRF and Django errors.

    A view may answer some contract errors with statuses of its own through a
    ``contract_error_statuses`` mapping (error class or code → status): a read
    naming unknown things answers ``PriceNotFound`` with 404, and a request the
    schema calls valid but a rule refuses (one the schema cannot state) gets 422,
    so that 400 always means "breaks the published schema".
    """
    if isinstance(exc, ContractError):
        set_rollback()
        overrides = getattr(context.get("view"), "contract_error_statuses", None)
        return _problem_response(contract_error_document(exc, overrides))
    if isinstance(exc, RequestDataTooBig):
        return _problem_response(problem_body(status=413, code="body_too_large", detail=str(exc)))
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down or restarting: a passing condition, not a bug. The transaction is gone.
        logger.warning("database unavailable: %s", exc)
        set_rollback()
        return _problem_response(
            problem_body(status=503, code="service_unavailable", detail="The shop is briefly unavailable; retry shortly."),
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):
        exc = drf.ParseError(str(exc))
    if not isinstance(exc, drf.APIException):
        return None  # a bug: Django's 500 handler renders it as a problem document too
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, drf.ValidationError):
        errors = _flatten_validation(exc.detail)
        return _problem_response(
            problem_body(
                status=exc.status_code,
                code="validation_error",
                detail="; ".join(f"{e['field'] or 'body'}: {e['detail']}" for e in errors) or "Invalid input.",
                errors=errors,
            ),
            headers,
        )
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    return _problem_response(problem_body(status=exc.status_code, code=code, detail=detail), headers)


def _django_problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(problem_body(status=status, code=code, detail=detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _django_problem(400, "bad_request", "The request could not be understood.")


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _django_problem(403, "permission_denied", "You do not have permission to do this.")


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _django_problem(404, "not_found", "Not found.")


def handler500(request: HttpRequest) -> JsonResponse:
    return _django_problem(500, "server_error", "An unexpected error occurred; it has been logged.")
