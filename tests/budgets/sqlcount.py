"""Count SQL statements and transactions on every database while a block runs.

A transaction is one commit of an explicit transaction, or one write run in
autocommit mode (the database commits it on its own). Reads outside a
transaction count as statements only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.db import connections

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN)\b", re.IGNORECASE)


@dataclass(repr=False)
class SqlCount:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def __repr__(self) -> str:
        lines = "\n".join(f"  {s[:160]}" for s in self.statements)
        return f"{len(self.statements)} statements in {self.transactions} transactions:\n{lines}"


@contextmanager
def sql_count(*, exclude_tables: tuple[str, ...] = ()) -> Iterator[SqlCount]:
    """Yield a ``SqlCount`` filled in while the block runs (savepoints and BEGIN are not statements).

    Statements naming one of ``exclude_tables`` are left out, with the
    transactions they alone make (a stand-in for an outside service's own
    bookkeeping, such as the test payment gateway's ledger).
    """
    count = SqlCount()
    ours: dict[str, bool] = {}  # per database: has the open transaction run a statement we count?

    def wrapper_for(alias, connection):
        def wrapper(execute, sql, params, many, context):
            if any(f'"{table}"' in sql for table in exclude_tables):
                return execute(sql, params, many, context)
            if not _CONTROL.match(sql):
                count.statements.append(sql)
                if connection.get_autocommit():
                    count.transactions += bool(_WRITE.match(sql))
                else:
                    ours[alias] = True
            return execute(sql, params, many, context)

        return wrapper

    def commit_for(alias, connection):
        real = connection.commit

        def commit():
            count.transactions += ours.pop(alias, False)
            return real()

        return commit

    with ExitStack() as stack:
        for alias in connections:
            connection = connections[alias]
            stack.enter_context(connection.execute_wrapper(wrapper_for(alias, connection)))
            stack.enter_context(mock.patch.object(connection, "commit", commit_for(alias, connection)))
        yield count
