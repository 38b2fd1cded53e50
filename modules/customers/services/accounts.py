"""Accounts: register, confirm the email, profile, deactivate.

No account enumeration: registering answers the same whether the email is
taken or not; the email sent says what happened.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from contracts.customers import CustomerDeactivated, CustomerEmailConfirmed, CustomerErased, CustomerRegistered
from contracts.errors import FieldProblem, InvalidInput
from contracts.events import publish
from kernel.transactions import atomic_for
from modules.customers.emails import email_send
from modules.customers.links import link_token_make, link_token_read
from modules.customers.models import Customer
from modules.customers.selectors import customer_by_email, email_normalize
from modules.customers.services.sessions import CredentialsInvalid, tokens_revoke_all

logger = logging.getLogger(__name__)


class PasswordRejected(InvalidInput):
    """The password is too weak: see ``errors``."""

    code = "password_rejected"


def password_check(*, password: str, customer: Customer, field: str = "password") -> None:
    """Hold ``password`` to Django's password validators (settings.AUTH_PASSWORD_VALIDATORS)."""
    try:
        validate_password(password, user=customer)
    except ValidationError as error:
        raise PasswordRejected(
            "The password was rejected.",
            errors=tuple(FieldProblem(field=field, code="password_rejected", detail=str(m)) for m in error.messages),
        ) from None


def customer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = "", marketing_consent: bool = False
) -> None:
    """Open an account and send its confirmation link; for a taken email, tell that mailbox instead.

    Answers nothing either way, so the caller cannot learn whether the email
    has an account. The password is checked (and hashed) in both cases, so
    the time taken does not tell either.
    """
    email = email_normalize(email)
    candidate = Customer(email=email, first_name=first_name, last_name=last_name)
    password_check(password=password, customer=candidate)
    hashed = make_password(password)
    existing = customer_by_email(email=email)
    if existing is not None:
        email_send(to=email, template="already_registered", context={"reset_url": storefront_url("reset-password")})
        return
    now = timezone.now()
    try:
        with atomic_for(Customer):
            customer = Customer.objects.create(
                email=email,
                password=hashed,
                first_name=first_name,
                last_name=last_name,
                marketing_consent=marketing_consent,
                marketing_consent_at=now if marketing_consent else None,
            )
            publish(CustomerRegistered(customer_id=customer.pk, email=email))
    except IntegrityError:  # registered by a concurrent request meanwhile: the same answer
        email_send(to=email, template="already_registered", context={"reset_url": storefront_url("reset-password")})
        return
    email_confirmation_send(customer=customer)


def storefront_url(path: str, token: str = "") -> str:
    """Return the storefront's page ``path`` (``CUSTOMERS_STOREFRONT_URL``), with a link's token: where emails point."""
    base = settings.CUSTOMERS_STOREFRONT_URL.rstrip("/")
    return f"{base}/{path}" + (f"?token={token}" if token else "")


def email_confirmation_send(*, customer: Customer) -> None:
    """Send the link that confirms the customer's email (again, if asked: each link works until one is used)."""
    if customer.email_confirmed_at is not None:
        return
    token = link_token_make(customer=customer, kind="confirm")
    email_send(to=customer.email, template="confirm", context={"url": storefront_url("confirm-email", token), "token": token})


def email_confirm(*, token: str) -> Customer:
    """Confirm the email a link was sent to; a used or expired link is ``LinkInvalid``."""
    customer, _ = link_token_read(token=token, kind="confirm", max_age_seconds=settings.CUSTOMERS_CONFIRM_LINK_SECONDS)
    with atomic_for(Customer):
        updated = Customer.objects.filter(pk=customer.pk, email_confirmed_at__isnull=True).update(
            email_confirmed_at=timezone.now()
        )
        if updated:
            publish(CustomerEmailConfirmed(customer_id=customer.pk, email=customer.email))
    customer.refresh_from_db()
    return customer


def customer_profile_update(
    *,
    customer: Customer,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: str | None = None,
    marketing_consent: bool | None = None,
) -> Customer:
    """Change the profile; giving marketing consent records when, withdrawing it clears the time."""
    with atomic_for(Customer):
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        for field, value in (("first_name", first_name), ("last_name", last_name), ("phone", phone)):
            if value is not None:
                setattr(customer, field, value)
        if marketing_consent is not None and marketing_consent != customer.marketing_consent:
            customer.marketing_consent = marketing_consent
            customer.marketing_consent_at = timezone.now() if marketing_consent else None
        customer.save()
    return customer


def customer_deactivate(*, customer_id: int) -> bool:
    """Deactivate the account and revoke every token it holds; False when it already was inactive."""
    with atomic_for(Customer):
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None or not customer.is_active:
            return False
        customer.is_active = False
        customer.token_generation += 1
        customer.save(update_fields=["is_active", "token_generation", "updated_at"])
        publish(CustomerDeactivated(customer_id=customer_id))
    logger.info("customer %s deactivated; tokens revoked", customer_id)
    return True


def customer_erase_confirmed(*, customer: Customer, password: str) -> None:
    """Erase the customer's own account, given its password (the request of the data subject)."""
    if not check_password(password, customer.password):
        raise CredentialsInvalid("The password is wrong.")
    customer_erase(customer_id=customer.pk)


def customer_erase(*, customer_id: int) -> bool:
    """Forget the customer: blank what identifies them, drop their addresses and tokens, tell every module.

    The row stays (ids in other modules' records keep pointing at nothing
    personal), with an email no one can own. ``CustomerErased`` carries the
    former email once, for modules that keyed data by it. False when already erased.
    """
    with atomic_for(Customer):
        customer = Customer.objects.select_for_update().filter(pk=customer_id, erased_at__isnull=True).first()
        if customer is None:
            return False
        email = customer.email
        tokens_revoke_all(customer_id=customer_id)
        customer.refresh_from_db()
        customer.addresses.all().delete()
        customer.sessions.all().delete()
        customer.email = f"erased-{customer.pk}@erased.invalid"
        customer.password = make_password(None)  # unusable
        customer.first_name = customer.last_name = customer.phone = ""
        customer.marketing_consent, customer.marketing_consent_at = False, None
        customer.is_active = False
        customer.erased_at = timezone.now()
        customer.save()
        publish(CustomerErased(customer_id=customer_id, email=email))
    logger.info("customer %s erased", customer_id)
    return True
