"""Refuse oversized request bodies before anything reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from kernel.problems import PROBLEM_CONTENT_TYPE, problem_body


class BodySizeLimitMiddleware:
    """Answer 413 for a body larger than the limit of its path, before anything reads it.

    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` everywhere but the admin, whose CSV
    imports need more (``ADMIN_MAX_REQUEST_BODY_BYTES``) — but a limit all the
    same, enforced before the login page or any form parses the body. DRF's
    parsers read the request stream directly, so Django's own limit (enforced
    on ``request.body``) would never fire for API requests.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin = request.path.startswith("/admin/")
        limit = settings.ADMIN_MAX_REQUEST_BODY_BYTES if admin else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            body = problem_body(status=413, code="body_too_large", detail=f"Request bodies are limited to {limit} bytes.")
            return JsonResponse(body, status=413, content_type=PROBLEM_CONTENT_TYPE)
        return self.get_response(request)


class ApiProblemsMiddleware:
    """Under ``/api/``, answer a 404 that Django rendered as a page with a problem document, whatever DEBUG says.

    With DEBUG on, Django replaces ``handler404`` by its technical HTML page;
    a storefront client must get the same machine-readable answer in every
    environment.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith(("application/json", PROBLEM_CONTENT_TYPE))
        ):
            return JsonResponse(
                problem_body(status=404, code="not_found", detail="Not found."), status=404, content_type=PROBLEM_CONTENT_TYPE
            )
        return response
