"""OpenAPI glue shared by every module: problem responses with their codes, and the statuses every operation has.

The published document must be exactly the API, so a schema-driven client (or
fuzzer) is never surprised: each operation lists every status it can answer,
and each error status is an RFC 9457 problem document whose ``code`` is one of
the values listed for it. A view declares its own errors with
``problem_responses``; ``problems_complete`` (a drf-spectacular postprocessing
hook) adds what every operation of the API can answer — 406, 503, and for a
request body 400 ``parse_error``, 413 and 415 — and the shared ``Problem``
component.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from kernel.problems import PROBLEM_CONTENT_TYPE, problem_title

PROBLEM_REF = "#/components/schemas/Problem"

PROBLEM_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": (
        "An RFC 9457 problem document. `code` is machine-readable and stable (the operation lists the values it "
        "can carry per status); `detail` is for people and may change. Some codes add members (e.g. `skus`)."
    ),
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "https://errors.commerce.local/<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per refused field (validation problems only).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "the field's path, e.g. lines[0].quantity; empty for the body"},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["field", "code", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}

# What every operation of the API can answer, whatever it does.
EVERY_OPERATION: dict[int, tuple[str, ...]] = {
    406: ("not_acceptable",),  # an Accept header that JSON does not satisfy
    503: ("service_unavailable",),  # the database is briefly away (Retry-After)
}
# What every operation with a JSON request body can answer besides.
WITH_BODY: dict[int, tuple[str, ...]] = {
    400: ("parse_error", "validation_error"),
    413: ("body_too_large",),
    415: ("unsupported_media_type",),
}
RETRY_AFTER_HEADER = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait before retrying"}}
CHALLENGE_HEADER = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "how to authenticate, e.g. Bearer"}}

_DESCRIPTIONS = {
    400: "The request breaks the published schema: problem document naming what.",
    404: "Nothing here: problem document.",
    406: "The Accept header allows no JSON.",
    409: "The request conflicts with the current state.",
    413: "The request body is larger than the limit.",
    415: "The request body is not JSON.",
    422: "The request is well formed but breaks a rule the schema cannot state.",
    429: "Too many requests: wait as Retry-After says.",
    503: "Briefly unavailable: retry after Retry-After seconds.",
}


def problem_schema(status: int, codes: Iterable[str]) -> dict[str, Any]:
    """Return the schema of the problem document answered with ``status`` and one of ``codes``."""
    return {
        "allOf": [
            {"$ref": PROBLEM_REF},
            {
                "type": "object",
                "properties": {"status": {"type": "integer", "enum": [status]}, "code": {"type": "string", "enum": sorted(set(codes))}},
            },
        ]
    }


def problem_responses(statuses: Mapping[int, Iterable[str]]) -> dict[Any, OpenApiResponse]:
    """Return ``extend_schema(responses=...)`` entries: for each status, a problem document with these codes.

    ``problem_responses({404: ["product_not_found"]})``; combine with the success
    responses: ``responses={200: ProductSerializer, **problem_responses(...)}``.
    """
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            response=problem_schema(status, codes), description=_DESCRIPTIONS.get(status, problem_title(status))
        )
        for status, codes in statuses.items()
    }


def _codes_of(response: dict[str, Any]) -> list[str] | None:
    """Return the (mutable) code enum of a problem response made by ``problem_schema``, or ``None``."""
    schema = response.get("content", {}).get(PROBLEM_CONTENT_TYPE, {}).get("schema", {})
    for part in schema.get("allOf", ()):
        code = part.get("properties", {}).get("code", {})
        if "enum" in code:
            return code["enum"]
    return None


def _problem_add(responses: dict[str, Any], status: int, codes: Iterable[str]) -> None:
    key = str(status)
    existing = responses.get(key)
    if existing is None:
        response: dict[str, Any] = {
            "content": {PROBLEM_CONTENT_TYPE: {"schema": problem_schema(status, codes)}},
            "description": _DESCRIPTIONS.get(status, problem_title(status)),
        }
        responses[key] = response
        return
    enum = _codes_of(existing)
    if enum is not None:
        enum[:] = sorted(set(enum) | set(codes))


# The headers that go with a status, whoever documented the answer.
_STATUS_HEADERS = {"401": CHALLENGE_HEADER, "429": RETRY_AFTER_HEADER, "503": RETRY_AFTER_HEADER}


_API_PATH = re.compile(r"^/api/v\d+/")

# OpenAPI links (how one answer feeds the next call), by source operationId and status; see ``api_link_add``.
_LINKS: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


def api_link_add(*, source: str, status: int, name: str, target: str, parameters: Mapping[str, str], description: str = "") -> None:
    """Document that answer ``status`` of operation ``source`` feeds operation ``target`` (OpenAPI link ``name``).

    ``parameters`` maps the target's parameters to runtime expressions, e.g.
    ``{"token": "$response.body#/token"}``. A generated client, a fuzzer's
    stateful phase and a reader follow them (cart → lines → complete → order).
    An unknown operationId fails the document's generation.
    """
    link: dict[str, Any] = {"operationId": target, "parameters": dict(parameters)}
    if description:
        link["description"] = description
    _LINKS.setdefault((source, status), {})[name] = link


def _links_attach(result: dict[str, Any]) -> None:
    operations = {
        operation.get("operationId"): operation
        for item in result.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
    }
    for (source, status), links in _LINKS.items():
        for link in links.values():
            if source not in operations or link["operationId"] not in operations:
                raise ValueError(f"API link from {source!r} to {link['operationId']!r}: no such operation")
        response = operations[source].get("responses", {}).get(str(status))
        if response is None:
            raise ValueError(f"API link from {source!r}: it has no {status} answer")
        response["links"] = dict(sorted(links.items()))


OPTIONAL_MARK = "x-optional"


def _optional_unrequire(schema: dict[str, Any]) -> None:
    """Leave out of ``required`` each property marked ``x-optional`` (present only in some answers), dropping the mark."""
    properties = schema.get("properties", {})
    optional = {name for name, prop in properties.items() if isinstance(prop, dict) and prop.pop(OPTIONAL_MARK, False)}
    if optional and "required" in schema:
        schema["required"] = [name for name in schema["required"] if name not in optional]


def _view_problems(generator: Any, request: Any) -> dict[tuple[str, str], dict[int, tuple[str, ...]]]:
    """Return, per (path, method), the problems its view's policies can answer: 429 throttled, 403 guarded, 401 challenged."""
    found: dict[tuple[str, str], dict[int, tuple[str, ...]]] = {}
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        problems: dict[int, tuple[str, ...]] = {}
        try:
            view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, request)
            throttles = view.get_throttles()
            authenticators = view.get_authenticators()
            permissions = view.get_permissions()
        except Exception:  # a view whose policies need a real request: it documents them itself
            continue
        if throttles:
            problems[429] = ("throttled",)
        # An authenticator with a challenge (Bearer) answers a bad credential with 401 on any operation; it may name
        # its codes in ``problem_codes``.
        challenged = [a for a in authenticators if a.authenticate_header(view.request)]
        if challenged:
            problems[401] = tuple(
                sorted({code for a in challenged for code in getattr(a, "problem_codes", ("authentication_failed",))})
            )
        if any(not isinstance(permission, AllowAny) for permission in permissions):
            problems[403] = ("not_authenticated", "permission_denied")
        found[(path, method.lower())] = problems
    return found


def problems_complete(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the problem statuses every API operation can answer.

    Every operation: 406 and 503. With a JSON body: 400 ``parse_error`` and
    ``validation_error``, 413, 415. With a path parameter: 404 ``not_found``
    (a value the route refuses). A throttled view: 429 ``throttled``; a view
    with permissions: 403. Also adds the ``Problem`` component the problem responses refer to,
    leaves properties marked ``x-optional`` (e.g. prices, only served with a
    currency) out of their object's ``required``, and sorts each operation's
    responses by status for a stable, readable document.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_COMPONENT
    for schema in schemas.values():
        _optional_unrequire(schema)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    _links_attach(result)
    by_view = _view_problems(generator, request)
    for path, item in result.get("paths", {}).items():
        if not _API_PATH.match(path):
            continue
        for method, operation in item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, codes in EVERY_OPERATION.items():
                _problem_add(responses, status, codes)
            if "requestBody" in operation:
                for status, codes in WITH_BODY.items():
                    _problem_add(responses, status, codes)
            if any(parameter.get("in") == "path" for parameter in operation.get("parameters", ())):
                _problem_add(responses, 404, ("not_found",))
            for status, codes in by_view.get((path, method), {}).items():
                _problem_add(responses, status, codes)
            for status, headers in _STATUS_HEADERS.items():
                if status in responses:
                    responses[status].setdefault("headers", {}).update(headers)
            operation["responses"] = dict(sorted(responses.items()))
    return result


class WholeAnswerSchema(AutoSchema):
    """For a list view whose answer is documented whole (an envelope with more than the list): no automatic paging wrap."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class StrictSerializerExtension(OpenApiSerializerExtension):
    """A ``StrictSerializer`` refuses unknown fields (400): its schema says so with ``additionalProperties: false``."""

    target_class = "kernel.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        # A serializer without a docstring of its own would be described by StrictSerializer's, which is about
        # the code, not the field: leave it undescribed.
        if schema.get("description") and "__doc__" not in vars(type(self.target)) or type(self.target).__doc__ is None:
            schema.pop("description", None)
        return schema
