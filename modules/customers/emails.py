"""The emails the customers module sends: what each says, and sending them after commit.

Sent by a task once the transaction commits (a Celery worker with a broker,
in-process without one); a mail server that fails never fails the request.
"""

from __future__ import annotations

from typing import Any

from django.db import router, transaction

from modules.customers.models import Customer

TEMPLATES: dict[str, tuple[str, str]] = {
    "confirm": ("Confirm your email", "Welcome! Confirm your email address by opening this link:\n\n{url}\n"),
    "already_registered": (
        "Your account",
        "Someone (hopefully you) tried to register with this email address, which already has an account.\n"
        "Sign in, or choose a new password here: {reset_url}\n",
    ),
    "reset": ("Reset your password", "Choose a new password by opening this link:\n\n{url}\n\nIf you did not ask, ignore this email.\n"),
    "reset_unknown": (
        "Reset your password",
        "Someone asked to reset the password of an account with this email address, but there is none.\n"
        "If it was you, you may have registered with another address.\n",
    ),
    "email_change": ("Confirm your new email", "Confirm that this is your new email address by opening this link:\n\n{url}\n"),
    "password_changed": ("Your password was changed", "The password of your account was changed, and every device signed out.\n"),
}


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return the subject and body of ``template`` filled with ``context``."""
    subject, body = TEMPLATES[template]
    return subject, body.format(**context)


def email_send(*, to: str, template: str, context: dict[str, Any] | None = None) -> None:
    """Send ``template`` to ``to`` after the current transaction commits (at once outside one)."""
    from modules.customers.tasks import customer_email_send

    transaction.on_commit(
        lambda: customer_email_send.delay(to=to, template=template, context=context or {}),
        using=router.db_for_write(Customer),
        robust=True,
    )
