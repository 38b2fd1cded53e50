"""The SQL statements an import writes with: many rows per statement, values prepared once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connections
from django.utils import timezone

from modules.catalog import services
from modules.catalog.models import Product, Variant

UPDATE_CHUNK = 300  # rows per UPDATE ... FROM (VALUES ...) and per INSERT


def bulk_set(
    model: type[Product] | type[Variant],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[object]],
    *,
    same: Mapping[str, object] | None = None,
) -> None:
    """Set ``columns`` (name, SQL type) of many rows by id: ``rows`` are ``(id, value, ...)``; 300 per statement.

    ``same`` sets columns to one value for every row (a timestamp).

    One ``UPDATE ... FROM (VALUES ...)`` per 300 rows instead of Django's
    ``bulk_update``, whose ``CASE`` per field and row cost most of an
    import's time. SQLite (3.33+) and PostgreSQL both name the columns of a
    ``VALUES`` list ``column1``, ``column2``...
    """
    connection = connections[services.catalog_db()]
    table = connection.ops.quote_name(model._meta.db_table)
    same = same or {}
    assignments = ", ".join(
        [f"{connection.ops.quote_name(name)} = v.column{n}" for n, (name, _) in enumerate(columns, start=2)]
        + [f"{connection.ops.quote_name(name)} = %s" for name in same]
    )
    placeholder = "(" + ", ".join(["CAST(%s AS BIGINT)", *(f"CAST(%s AS {sql})" for _, sql in columns)]) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start : start + UPDATE_CHUNK]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([placeholder] * len(chunk))}) AS v "
                f"WHERE {table}.id = v.column1",
                [*same.values(), *(value for row in chunk for value in row)],
            )


def insert(model: type[Product] | type[Variant], columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Insert ``rows`` (values of ``columns``, ready for the database), 300 per ``INSERT``.

    Django's ``bulk_create`` spent most of an import preparing each value of
    each row; here a constant (a JSON ``{}``, a timestamp) is prepared once.
    Every other column of the model gets its field's default, prepared once,
    so a field added later needs no change here.
    """
    connection = connections[services.catalog_db()]
    now = timezone.now()
    others = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in columns and not field.has_db_default()
    ]
    defaults = [
        field.get_db_prep_save(
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default(),
            connection=connection,
        )
        for field in others
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in [*columns, *(field.column for field in others)])
    placeholder = "(" + ", ".join(["%s"] * (len(columns) + len(others))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start : start + UPDATE_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(chunk))}",
                [value for row in chunk for value in (*row, *defaults)],
            )


def prepared(model: type[Product] | type[Variant], field: str, value: object) -> object:
    """Return ``value`` as the catalog's database stores ``field`` of ``model``: prepared once for many rows."""
    return model._meta.get_field(field).get_db_prep_save(value, connection=connections[services.catalog_db()])
