"""Celery tasks of the customers module: thin, each calls one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from modules.customers.emails import email_render
from modules.customers.services import sessions


@shared_task(name="modules.customers.tasks.customer_email_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def customer_email_send(*, to: str, template: str, context: dict[str, Any]) -> None:
    subject, body = email_render(template=template, context=context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@shared_task(name="modules.customers.tasks.refresh_tokens_purge")
def refresh_tokens_purge() -> int:
    return sessions.refresh_tokens_purge()
