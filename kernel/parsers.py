"""A JSON request parser that refuses what cannot be parsed with a 400, whatever its shape."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, with a 400 ``parse_error`` also for nesting too deep to decode.

    The standard decoder raises ``RecursionError`` (not ``ValueError``) on a
    body of a few thousand nested brackets, which DRF lets through as a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
