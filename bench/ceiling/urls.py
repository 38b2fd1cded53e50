"""One view for every path: the bytes of a real listing page, read once at start-up (``BENCH_CEILING_BODY``)."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import re_path

BODY = Path(os.environ["BENCH_CEILING_BODY"]).read_bytes()
CONTENT_TYPE = os.environ.get("BENCH_CEILING_CONTENT_TYPE", "application/json")


def listing(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type=CONTENT_TYPE)


urlpatterns = [re_path(r"", listing)]
