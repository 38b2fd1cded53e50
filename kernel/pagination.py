"""Page-number pagination with a capped page size and a 400 for nonsense."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

# ASCII digits only: str.isdigit() accepts "²", which int() refuses.
_WHOLE = re.compile(r"[0-9]{1,9}")
WHOLE_MAX = 999_999_999  # the largest number _WHOLE admits: the bound the schema states


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M``; ``page_size`` above ``max_page_size`` is clamped."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param, 1)
        if raw in self.last_page_strings:
            return raw
        if not _WHOLE.fullmatch(str(raw)) or int(raw) < 1:
            raise ValidationError({"page": ["A page number must be a whole number of at least 1."]}, code="invalid")
        return int(raw)

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _WHOLE.fullmatch(raw) or int(raw) < 1:
            raise ValidationError({"page_size": ["A page size must be a whole number of at least 1."]}, code="invalid")
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """Document ``page`` and ``page_size`` with the bounds the server enforces (a 400 outside them)."""
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "The page, from 1; past the last page is a 404 (code not_found).",
                "schema": {"type": "integer", "minimum": 1, "maximum": WHOLE_MAX},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}); more than {self.max_page_size} is served as {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": WHOLE_MAX},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The list envelope every list of the API shares."""
        return list_envelope_schema(schema)


def list_envelope_schema(results: dict[str, Any]) -> dict[str, Any]:
    """Return the schema of the ``count``/``next``/``previous``/``results`` envelope around ``results`` (an array)."""
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0, "example": 123},
            "next": {"type": "string", "nullable": True, "format": "uri", "description": "the next page, null on the last"},
            "previous": {"type": "string", "nullable": True, "format": "uri", "description": "the previous page, null on the first"},
            "results": results,
        },
    }


def one_page(results: Sequence[Any]) -> dict[str, Any]:
    """Return ``results`` in the list envelope of every paginated endpoint, as its only page.

    For lists bounded by the request itself (the SKUs asked for), so that
    every list of the API has the same ``count``/``next``/``previous``/``results`` shape.
    """
    return {"count": len(results), "next": None, "previous": None, "results": list(results)}


class CountedRange:
    """A sequence for Django's ``Paginator`` that counts and fetches slices through callables.

    Lets a page be read in one query shaped by the caller (a LIMIT/OFFSET
    subquery joined to its details) while DRF's pagination keeps validating
    page numbers and building the ``count``/``next``/``previous`` envelope.
    """

    def __init__(self, *, count: Callable[[], int], fetch: Callable[[int, int], list[Any]]) -> None:
        self._count = count
        self._fetch = fetch

    def count(self) -> int:
        return self._count()

    def __len__(self) -> int:
        return self._count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("CountedRange only serves contiguous slices")
        start = index.start or 0
        return self._fetch(start, max((index.stop if index.stop is not None else start) - start, 0))


def page_parameters() -> list[OpenApiParameter]:
    """Return ``page`` and ``page_size`` as ``extend_schema`` parameters, for a view whose answer is documented by hand."""
    return [
        OpenApiParameter(p["name"], p["schema"], description=p["description"])
        for p in Pagination().get_schema_operation_parameters(None)
    ]
