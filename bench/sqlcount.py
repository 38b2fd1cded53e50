"""Count the SQL statements and commits of each request; answer them in ``X-Bench-SQL`` and ``X-Bench-Tx``.

Bench-only (installed by ``bench.settings``, first in the middleware so the
whole request is counted, sessions included). Statements are counted with
``execute_wrapper`` on every connection of the request's thread, which is
what ``CaptureQueriesContext`` sees (savepoints included, BEGIN not, as
psycopg opens transactions implicitly). Transactions are counted as commits
of the request's thread: every outermost ``atomic`` block that committed.
Work in other threads (a delivery thread) or after the response is not counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

SQL_HEADER = "X-Bench-SQL"
TX_HEADER = "X-Bench-Tx"

_state = threading.local()
_commit = BaseDatabaseWrapper.commit


def _counting_commit(self: BaseDatabaseWrapper) -> None:
    counts = getattr(_state, "counts", None)
    if counts is not None:
        counts[1] += 1
    return _commit(self)


BaseDatabaseWrapper.commit = _counting_commit  # type: ignore[method-assign]


class SqlCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counts = [0, 0]

        def count(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
            counts[0] += 1
            return execute(sql, params, many, context)

        _state.counts = counts
        try:
            with ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(count))
                response = self.get_response(request)
        finally:
            _state.counts = None
        response[SQL_HEADER] = str(counts[0])
        response[TX_HEADER] = str(counts[1])
        return response
