"""The plumbing of every CSV import: reading the rows, the one error that refuses a file, its short report.

A module's import keeps only what is its own (how a row is parsed, checked
and written, all or nothing, in bulk); everything a staff member sees the
same way in every module lives here:

- ``csv_text_decode``: the size and encoding checks of an uploaded or read file;
- ``csv_rows_read``: the header and column checks, blank lines skipped, every
  row numbered by the line it starts on (a quoted cell may span lines);
- ``ImportInvalid`` (public code ``import_invalid``): the file is refused and
  nothing was written; it lists the first ``REPORT_MAX_PROBLEMS`` problems by
  line and counts them all, so a 60,000-line bad file makes a short report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.errors import FieldProblem, InvalidInput

IMPORT_INVALID = "import_invalid"
# A refused file lists this many problems (by line), then how many there are in all.
REPORT_MAX_PROBLEMS = 50
CSV_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class LineProblem:
    """What is wrong on one line of the file (the header is line 1); ``code`` names the kind of problem."""

    line: int
    code: str
    detail: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.detail}"


class ImportInvalid(InvalidInput):
    """The file has problems and nothing was imported; ``problems`` holds them all, by line.

    ``errors`` (what crosses a boundary) holds only the first
    ``REPORT_MAX_PROBLEMS`` and ``problem_count`` how many there are.
    """

    code = IMPORT_INVALID

    def __init__(self, *, problems: Iterable[LineProblem]) -> None:
        ordered = tuple(sorted(problems, key=lambda p: p.line))
        listed = f" The first {REPORT_MAX_PROBLEMS} are listed." if len(ordered) > REPORT_MAX_PROBLEMS else ""
        super().__init__(
            f"The file has {len(ordered)} problem(s); nothing was imported.{listed}",
            errors=tuple(
                FieldProblem(field=f"line {p.line}", code=p.code, detail=p.detail) for p in ordered[:REPORT_MAX_PROBLEMS]
            ),
            problem_count=len(ordered),
        )
        self.problems = ordered

    @property
    def first_problems(self) -> tuple[LineProblem, ...]:
        """The problems a report lists: the first ``REPORT_MAX_PROBLEMS`` by line."""
        return self.problems[:REPORT_MAX_PROBLEMS]

    @property
    def more(self) -> int:
        """How many problems a report leaves out."""
        return len(self.problems) - len(self.first_problems)


def problems_raise(problems: Sequence[LineProblem]) -> None:
    """Refuse the file with ``ImportInvalid`` when there is any problem."""
    if problems:
        raise ImportInvalid(problems=problems)


class CsvUnreadable(ValueError):
    """The file cannot be read as CSV text at all (too large, not UTF-8); the message says why."""


def csv_text_decode(raw: bytes, *, max_bytes: int = CSV_MAX_BYTES) -> str:
    """Return the text of an uploaded or read file: UTF-8, an Excel byte order mark dropped, at most ``max_bytes``."""
    if len(raw) > max_bytes:
        raise CsvUnreadable(f"The file is larger than {max_bytes // (1024 * 1024)} MB; split it.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvUnreadable(f"The file is not UTF-8 text (byte {error.start}).") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvRow:
    """One data row: the line it starts on and its cells by column name, stripped (an absent optional column is ``""``)."""

    line: int
    values: dict[str, str]


def csv_rows_read(
    text: str,
    *,
    columns: Sequence[str],
    optional: Sequence[str] = (),
    header_required: bool = True,
    max_rows: int,
) -> tuple[list[CsvRow], list[LineProblem]]:
    """Read the rows of a CSV text; return them with the problems of the file's shape (header, cell counts).

    With a header (required, or optional and found: a first line naming the
    columns), cells are matched by name in any order; every column of
    ``columns`` must be named, those of ``optional`` may be, nothing else.
    Without one, cells are taken in the order ``columns`` then ``optional``.
    A row may leave out trailing optional cells. Blank lines are skipped.
    Reading stops at a line that is not CSV, and after ``max_rows`` rows.
    """
    known = (*columns, *optional)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    records = _records(reader)
    problems: list[LineProblem] = []
    expected = ",".join(columns) + "".join(f"[,{name}]" for name in optional)
    try:
        first = next(records, None)
    except _Unreadable as unreadable:
        return [], [LineProblem(line=unreadable.line, code="invalid_csv", detail=f"unreadable header: {unreadable}")]
    if first is None:
        detail = "the file is empty" + (f"; the first line must be the header: {expected}" if header_required else "")
        return [], [LineProblem(line=1, code="empty", detail=detail)]
    first_line, first_cells = first
    names = [cell.strip().lower() for cell in first_cells]
    if header_required or (names[: len(columns)] == list(columns) and set(names) <= set(known)):
        header_problems = _header_problems(names, columns=columns, known=known)
        if header_problems:
            return [], [
                LineProblem(line=first_line, code="invalid_header", detail=f"{header_problems} (expected {expected})")
            ]
        header, pending = names, []
    else:
        header, pending = list(known), [first]
    least = max((i + 1 for i, name in enumerate(header) if name in columns), default=0)
    rows: list[CsvRow] = []
    try:
        for line, cells in _chain(pending, records):
            if len(rows) == max_rows:
                problems.append(
                    LineProblem(line=line, code="too_many_rows", detail=f"the file has more than {max_rows} rows; split it")
                )
                break
            if not least <= len(cells) <= len(header):
                count = str(len(header)) if least == len(header) else f"{least} to {len(header)}"
                problems.append(
                    LineProblem(line=line, code="invalid_row", detail=f"expected {count} columns, found {len(cells)}")
                )
                continue
            values = dict.fromkeys(known, "")
            values.update(zip(header, (cell.strip() for cell in cells), strict=False))
            rows.append(CsvRow(line=line, values=values))
    except _Unreadable as unreadable:
        problems.append(LineProblem(line=unreadable.line, code="invalid_csv", detail=f"unreadable CSV from here on: {unreadable}"))
    return rows, problems


def _header_problems(names: Sequence[str], *, columns: Sequence[str], known: Sequence[str]) -> str:
    missing = [name for name in columns if name not in names]
    unknown = sorted({name for name in names if name not in known})
    repeated = sorted({name for name in names if names.count(name) > 1})
    return "; ".join(
        f"{label}: {', '.join(found)}"
        for label, found in (("missing columns", missing), ("unknown columns", unknown), ("repeated columns", repeated))
        if found
    )


class _Unreadable(Exception):
    def __init__(self, error: csv.Error, *, line: int) -> None:
        super().__init__(str(error))
        self.line = line


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Yield each non-blank record of a ``csv.reader`` with the line it starts on; a ``csv.Error`` becomes ``_Unreadable``."""
    next_line = 1
    while True:
        line = next_line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _Unreadable(error, line=line) from None
        next_line = reader.line_num + 1
        if any(cell.strip() for cell in cells):
            yield line, cells


def _chain(pending: list[tuple[int, list[str]]], records: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    yield from pending
    yield from records

