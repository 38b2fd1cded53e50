"""Serve the contracts of the modules installed in this process at /internal/contracts/<module>/<method>.

Both internal endpoints (contract calls and ``/internal/events``) answer in
this order, before the method, the path or the body is looked at:

1. nothing served (``CONTRACTS_SERVE_TOKENS`` unset, or invalid) → 404;
2. client address outside ``CONTRACTS_ALLOWED_NETWORKS`` → 403;
3. no ``Authorization: Bearer <token>`` of a known caller → 404, so that the
   endpoints do not even exist for the public;
4. then 405 for anything but POST, and 400 for a malformed call.

Every answer is a problem document, never HTML, never a 500 for bad input.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from commerce.eventbus.services.inbox import SubscribersFailed, event_apply_here
from commerce.transport.credentials import Caller, address_allowed, caller_identify, serve_config
from commerce.transport.protocols import (
    CONTRACT_PROTOCOLS,
    call_arguments_fit,
    contract_methods,
    contract_signature,
    value_fits,
)
from contracts.codec import error_to_primitive, from_primitive, to_primitive
from contracts.container import services
from contracts.errors import ContractError, InvalidInput
from contracts.events import event_type_get
from kernel.problems import PROBLEM_CONTENT_TYPE, contract_error_status, problem_body

logger = logging.getLogger(__name__)

View = Callable[..., JsonResponse]


def _problem(status: int, code: str, detail: str, **headers: str) -> JsonResponse:
    response = JsonResponse(
        problem_body(status=status, code=code, detail=detail), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _malformed(detail: str) -> JsonResponse:
    """A 400 problem that the calling ``ContractClient`` raises as ``InvalidInput``, as a local call would."""
    body = problem_body(
        status=400, code="bad_contract_call", detail=detail, error=error_to_primitive(InvalidInput(detail, code="bad_contract_call"))
    )
    return JsonResponse(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


def _not_found() -> JsonResponse:
    return _problem(404, "not_found", "Not found.")


def _guarded(view: Callable[..., JsonResponse]) -> View:
    """Run ``view(request, caller, ...)`` only for an authorized POST; answer the rest as the module docstring says."""

    @csrf_exempt
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        config = serve_config()
        if not config.serving:
            if config.problems:
                logger.error("internal endpoints not served, fix the settings: %s", "; ".join(config.problems))
            return _not_found()
        if not address_allowed(config, request.META.get("REMOTE_ADDR", "")):
            return _problem(403, "forbidden_network", "This address may not call the internal endpoints.")
        caller = caller_identify(config, request.headers.get("Authorization", ""))
        if caller is None:
            return _not_found()
        if request.method != "POST":
            return _problem(405, "method_not_allowed", f"Method {request.method} not allowed.", Allow="POST")
        return view(request, caller, *args, **kwargs)

    return guarded


def _json_body(request: HttpRequest) -> Any:
    return json.loads(request.body)


@_guarded
def contract_call(request: HttpRequest, caller: Caller, module: str, method: str) -> JsonResponse:
    """Run one contract call for another process: ``{"kwargs": {...}}`` → ``{"result": ...}`` or ``{"error": ...}``.

    Only for modules installed here (404 otherwise); an unknown call, a body
    that is not JSON, and arguments that do not fit the contract's
    annotations are 400 ``bad_contract_call``, and the facade is not called.
    """
    if module not in CONTRACT_PROTOCOLS or module not in settings.MODULES:
        return _not_found()
    protocol = CONTRACT_PROTOCOLS[module]
    hints = contract_methods(protocol).get(method)
    if hints is None:
        return _malformed(f"The {module} contract has no call {method!r}.")
    try:
        body = _json_body(request)
    except (ValueError, RecursionError) as error:
        return _malformed(f"Malformed call: the body is not JSON ({error}).")
    if not isinstance(body, dict) or "kwargs" not in body:
        return _malformed('Malformed call: the body is not {"kwargs": {...}}.')
    if reason := call_arguments_fit(hints, contract_signature(protocol, method), body["kwargs"]):
        return _malformed(f"Malformed call to {module}.{method}: {reason}.")
    try:
        arguments = {name: from_primitive(hints[name], value) for name, value in body["kwargs"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, RecursionError) as error:
        return _malformed(f"Malformed call to {module}.{method}: {error}")
    try:
        result = getattr(getattr(services(), module), method)(**arguments)
    except ContractError as error:
        return JsonResponse({"error": error_to_primitive(error)}, status=contract_error_status(error))
    return JsonResponse({"result": to_primitive(result)})


@_guarded
def event_receive(request: HttpRequest, caller: Caller) -> JsonResponse:
    """Apply an event published by another process to this process's subscribers: ``{"name", "payload"}``.

    Accepted only from the module that publishes the event (403
    ``event_publisher_mismatch`` otherwise, and nothing is applied). 200 once
    every subscriber here has applied it (now or before); 503 when one
    failed, so that the publisher's outbox retries the delivery.
    """
    try:
        body = _json_body(request)
    except (ValueError, RecursionError) as error:
        return _problem(400, "bad_event", f"Malformed event: the body is not JSON ({error}).")
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not isinstance(body.get("payload"), dict):
        return _problem(400, "bad_event", 'Malformed event: the body is not {"name": "...", "payload": {...}}.')
    name, payload = body["name"], body["payload"]
    try:
        event_type = event_type_get(name)
    except KeyError:
        return _problem(400, "bad_event", f"Unknown event {name!r}.")
    if event_type.publisher not in caller.modules:
        logger.warning("refused %s from caller %s: only %s publishes it", name, caller.name, event_type.publisher)
        return _problem(
            403, "event_publisher_mismatch", f"{name} is published by {event_type.publisher}, not by this caller."
        )
    if not value_fits(event_type, payload):
        return _problem(400, "bad_event", f"Malformed event: the payload is not a {name}.")
    try:
        from_primitive(event_type, payload)
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, RecursionError) as error:
        return _problem(400, "bad_event", f"Malformed event: {error}")
    try:
        event_apply_here(name=name, payload=payload)
    except SubscribersFailed as error:
        logger.warning("event %s failed here: %s", name, error)
        return _problem(503, "subscriber_failed", str(error))
    return JsonResponse({"applied": True})
