"""The provider's inbound webhooks: ``/webhooks/<provider>/`` (``/webhooks/stripe/``), one event per delivery.

Verified by the provider's own code (signature, timestamp tolerance); anything
it refuses, or an event type we do not know, is a 400 problem and applies
nothing. An event is applied once (the inbox), whatever the number and order
of deliveries.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from contracts.errors import ContractError
from kernel.problems import PROBLEM_CONTENT_TYPE, contract_error_status, problem_body
from modules.payments.providers import provider_get
from modules.payments.providers.base import WebhookInvalid
from modules.payments.services.webhooks import EventUnknown, webhook_apply

logger = logging.getLogger(__name__)


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(problem_body(status=status, code=code, detail=detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, provider: str) -> JsonResponse:
    """Verify, then apply one provider event once; 200 when applied now or before."""
    configured = provider_get()
    if provider != configured.name:
        return _problem(404, "not_found", "Not found.")
    try:
        event = configured.webhook_parse(payload=request.body, headers=dict(request.headers))
    except WebhookInvalid as error:
        logger.warning("webhook refused: %s", error)
        return _problem(400, "webhook_invalid", f"The webhook was refused: {error}")
    try:
        applied = webhook_apply(provider=configured.name, event=event)
    except EventUnknown as error:
        logger.warning("webhook %s of unknown type %s refused", event.id, event.type)
        return _problem(400, "webhook_event_unknown", str(error))
    except ContractError as error:
        return _problem(contract_error_status(error), error.code, error.detail)
    return JsonResponse({"received": True, "applied": applied})


urlpatterns = [path("", webhook_receive, name="payments-webhook")]
