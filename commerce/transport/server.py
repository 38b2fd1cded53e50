"""Serve the contracts of the modules installed in this process at /internal/contracts/<module>/<method>."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commerce.eventbus.services import SubscribersFailed, event_apply_here
from commerce.transport.protocols import CONTRACT_PROTOCOLS, contract_methods
from contracts.codec import error_to_primitive, from_primitive, to_primitive
from contracts.container import services
from contracts.errors import ContractError
from contracts.events import event_type_get
from kernel.problems import PROBLEM_CONTENT_TYPE, contract_error_status, problem_body

logger = logging.getLogger(__name__)


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(problem_body(status=status, code=code, detail=detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def _authorized(request: HttpRequest) -> bool:
    token = settings.CONTRACTS_TOKEN
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(presented.encode(), token.encode())


@csrf_exempt
@require_POST
def contract_call(request: HttpRequest, module: str, method: str) -> JsonResponse:
    """Run one contract call for another process: ``{"kwargs": {...}}`` → ``{"result": ...}`` or ``{"error": ...}``.

    Served only when ``CONTRACTS_TOKEN`` is set and presented as a bearer
    token, and only for modules installed here; anything else is a 404, so
    the endpoint does not even exist for the public.
    """
    if not _authorized(request) or module not in settings.MODULES:
        return _problem(404, "not_found", "Not found.")
    hints = contract_methods(CONTRACT_PROTOCOLS[module]).get(method)
    if hints is None:
        return _problem(404, "not_found", f"The {module} contract has no call {method!r}.")
    try:
        kwargs = json.loads(request.body)["kwargs"]
        arguments = {name: from_primitive(hints[name], value) for name, value in kwargs.items()}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        return _problem(400, "bad_contract_call", f"Malformed call: {error}")
    try:
        result = getattr(getattr(services(), module), method)(**arguments)
    except ContractError as error:
        return JsonResponse({"error": error_to_primitive(error)}, status=contract_error_status(error))
    return JsonResponse({"result": to_primitive(result)})


@csrf_exempt
@require_POST
def event_receive(request: HttpRequest) -> JsonResponse:
    """Apply an event published by another process to this process's subscribers: ``{"name", "payload"}``.

    200 once every subscriber here has applied it (now or before); 503 when
    one failed, so that the publisher's outbox retries the delivery.
    """
    if not _authorized(request):
        return _problem(404, "not_found", "Not found.")
    try:
        body = json.loads(request.body)
        name, payload = body["name"], body["payload"]
        event_type_get(name)
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        return _problem(400, "bad_event", f"Malformed or unknown event: {error}")
    try:
        event_apply_here(name=name, payload=payload)
    except SubscribersFailed as error:
        logger.warning("event %s failed here: %s", name, error)
        return _problem(503, "subscriber_failed", str(error))
    return JsonResponse({"applied": True})
