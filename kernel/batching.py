"""Batches: the one chunking rule for bounded ``IN (...)`` lists and bulk writes, and an unbounded one on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import F, Lookup, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Any)

# Keeps every IN (...) well under SQLite's limit on bound parameters (32,766 since 3.32, 999 before).
IN_CHUNK = 500


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of ``items`` of at most ``size`` elements, in order; nothing for an empty sequence.

    Slices, not copies element by element: a list gives lists, a tuple tuples.
    """
    if size < 1:
        raise ValueError("a chunk holds at least one item")
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AnyOf(Lookup):
    """``lhs = ANY(%s)`` with the values bound as one array parameter (PostgreSQL only): no limit on their number."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def filtered_in(queryset: QuerySet[M], *, field: str, values: Sequence[Any]) -> Iterator[QuerySet[M]]:
    """Yield ``queryset`` narrowed to ``field`` in ``values``: once on PostgreSQL, once per ``IN_CHUNK`` elsewhere.

    PostgreSQL takes every value as one array parameter (``= ANY(%s)``), so
    the number of statements does not grow with ``values``; SQLite caps bound
    parameters, so there each ``IN (...)`` stays chunked. Nothing is yielded
    for no values (no statement at all).
    """
    if not values:
        return
    if connections[router.db_for_read(queryset.model)].vendor == "postgresql":
        yield queryset.filter(AnyOf(F(field), list(values)))
        return
    for chunk in chunked(values):
        yield queryset.filter(**{f"{field}__in": chunk})
