"""Passwords and the sign-in email: reset by email, change, move to another email.

A reset request answers the same whether the email has an account; the
email sent says what happened. Any new password revokes every token.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError
from django.utils import timezone

from contracts.customers import CustomerEmailConfirmed
from contracts.errors import Conflict
from contracts.events import publish
from kernel.transactions import atomic_for
from modules.customers.emails import email_send
from modules.customers.links import link_token_make, link_token_read
from modules.customers.models import Customer
from modules.customers.selectors import customer_by_email, email_normalize
from modules.customers.services.accounts import password_check, storefront_url
from modules.customers.services.sessions import CredentialsInvalid, TokenPair, session_open, tokens_revoke_all


class EmailTaken(Conflict):
    """That email cannot be used for this account."""

    code = "email_unavailable"


def password_reset_request(*, email: str) -> None:
    """Email a one-use reset link, or, for an email without an account, say so to that mailbox only."""
    customer = customer_by_email(email=email)
    if customer is None or not customer.is_active:
        email_send(to=email_normalize(email), template="reset_unknown")
        return
    token = link_token_make(customer=customer, kind="reset")
    email_send(to=customer.email, template="reset", context={"url": storefront_url("reset-password", token), "token": token})


def _password_set(*, customer: Customer, password: str) -> None:
    """Store a new password and revoke every token (inside the caller's transaction)."""
    Customer.objects.filter(pk=customer.pk).update(password=make_password(password), updated_at=timezone.now())
    tokens_revoke_all(customer_id=customer.pk)
    email_send(to=customer.email, template="password_changed")


def password_reset_confirm(*, token: str, password: str) -> None:
    """Set the password a reset link allows; the link then stops working, and so do all tokens.

    Following the link proves the mailbox too: an unconfirmed email becomes confirmed.
    """
    customer, _ = link_token_read(token=token, kind="reset", max_age_seconds=settings.CUSTOMERS_RESET_LINK_SECONDS)
    password_check(password=password, customer=customer)
    with atomic_for(Customer):
        _password_set(customer=customer, password=password)
        if customer.email_confirmed_at is None:
            Customer.objects.filter(pk=customer.pk).update(email_confirmed_at=timezone.now())
            publish(CustomerEmailConfirmed(customer_id=customer.pk, email=customer.email))


def password_change(*, customer: Customer, current_password: str, password: str) -> TokenPair:
    """Change the password given the current one; every token is revoked, and this device gets a new pair."""
    if not check_password(current_password, customer.password):
        raise CredentialsInvalid("The current password is wrong.")
    password_check(password=password, customer=customer)
    with atomic_for(Customer):
        _password_set(customer=customer, password=password)
        customer.refresh_from_db()
        return session_open(customer=customer)


def email_change_request(*, customer: Customer, email: str, password: str) -> None:
    """Send a link to the new email; the account moves to it once the link is opened."""
    if not check_password(password, customer.password):
        raise CredentialsInvalid("The password is wrong.")
    email = email_normalize(email)
    if customer_by_email(email=email) is not None:
        # Told only to the new mailbox's owner: the answer to the caller is the same.
        email_send(to=email, template="already_registered", context={"reset_url": storefront_url("reset-password")})
        return
    token = link_token_make(customer=customer, kind="email_change", email=email)
    email_send(to=email, template="email_change", context={"url": storefront_url("confirm-email-change", token), "token": token})


def email_change_confirm(*, token: str) -> Customer:
    """Move the account to the email a change link was sent to (confirmed by opening it)."""
    customer, email = link_token_read(token=token, kind="email_change", max_age_seconds=settings.CUSTOMERS_CONFIRM_LINK_SECONDS)
    now = timezone.now()
    try:
        with atomic_for(Customer):
            Customer.objects.filter(pk=customer.pk).update(email=email, email_confirmed_at=now, updated_at=now)
            publish(CustomerEmailConfirmed(customer_id=customer.pk, email=email))
    except IntegrityError:
        raise EmailTaken() from None
    customer.refresh_from_db()
    return customer
