"""The one CSV writer of exports (admin actions and ``manage.py export``): safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``
in a customer's name runs when bookkeeping opens the file). Such text cells
get a leading apostrophe, which spreadsheets show as text and do not
evaluate (OWASP "CSV injection"). Numbers written by the shop itself (ints
and Decimals) are left as numbers: a negative quantity stays ``-3``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> str | int | Decimal:
    """Return ``value`` as a CSV cell a spreadsheet shows as written and never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return value
    text = value.isoformat() if isinstance(value, datetime | date) else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_write(*, out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``header`` and ``rows`` to ``out`` as CSV with every cell made safe; return the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_safe(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([cell_safe(value) for value in row])
        count += 1
    return count


class _Echo:
    """A file whose ``write`` returns what it was given: lets ``csv.writer`` feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"  # a byte-order mark, so Excel reads the file as UTF-8
    yield writer.writerow([cell_safe(name) for name in header])
    for row in rows:
        yield writer.writerow([cell_safe(value) for value in row])


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """Return a download of ``rows`` as CSV, streamed row by row (an export of every order fits in no memory)."""
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
