"""Page-number pagination with a capped page size and a 400 for nonsense."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


# ASCII digits only: str.isdigit() accepts "²", which int() refuses.
_WHOLE = re.compile(r"[0-9]{1,9}")


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
