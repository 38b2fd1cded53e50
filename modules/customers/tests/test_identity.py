"""Storefront identity through the API: register, confirm, sign in and out, refresh, reset, change password and email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contracts.customers import CustomerEmailConfirmed, CustomerRegistered, CustomerSignedIn
from modules.customers.models import Customer
from modules.customers.tests.conftest import API, PASSWORD, bearer, last_link_token
from modules.customers.tokens import CustomerAccessToken

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_confirm_sign_in_and_read_me(api_client, register, sign_in, event_probe):
    events = event_probe(CustomerRegistered, CustomerEmailConfirmed, CustomerSignedIn)
    register(email="Ada@Example.com", first_name="Ada")
    tokens = sign_in(email="ADA@example.com")
    me = api_client.get(f"{API}/me/", **bearer(tokens["access"]))
    assert me.status_code == 200 and me["Cache-Control"].startswith("max-age=0")
    assert (me.json()["email"], me.json()["email_confirmed"], me.json()["first_name"]) == ("ada@example.com", True, "Ada")
    assert [type(e) for e in events] == [CustomerRegistered, CustomerEmailConfirmed, CustomerSignedIn]


def test_sign_in_waits_for_the_confirmation(api_client, register):
    register(confirm=False)
    refused = api_client.post(f"{API}/sign-in/", {"email": "ada@example.com", "password": PASSWORD}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "email_unconfirmed"


def test_a_duplicate_registration_answers_the_same_and_the_email_says_what_happened(api_client, register):
    first = register()
    mail.outbox.clear()
    again = api_client.post(f"{API}/register/", {"email": "ADA@example.com", "password": "another good passphrase"}, format="json")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Customer.objects.count() == 1
    assert len(mail.outbox) == 1 and "already has an account" in mail.outbox[0].body


@pytest.mark.parametrize("password", ["short", "12345678901234", "password123", "ada@example.com"])
def test_a_weak_password_is_refused_and_nothing_is_created(api_client, password):
    answer = api_client.post(f"{API}/register/", {"email": "ada@example.com", "password": password}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "password_rejected"
    assert not Customer.objects.exists() and not mail.outbox


def test_confirmation_links_work_once_and_expire(api_client, register, settings):
    register(confirm=False)
    token = last_link_token("ada@example.com")
    assert api_client.post(f"{API}/email/confirm/", {"token": token}, format="json").status_code == 200
    reused = api_client.post(f"{API}/email/confirm/", {"token": token}, format="json")
    assert reused.status_code == 400 and reused.json()["code"] == "link_invalid"
    register(email="eve@example.com", confirm=False)
    settings.CUSTOMERS_CONFIRM_LINK_SECONDS = -1
    expired = api_client.post(f"{API}/email/confirm/", {"token": last_link_token("eve@example.com")}, format="json")
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]
    forged = api_client.post(f"{API}/email/confirm/", {"token": token[:-2] + "xx"}, format="json")
    assert forged.status_code == 400 and forged.json()["code"] == "link_invalid"


def test_wrong_email_or_password_is_one_answer(api_client, customer):
    answers = [
        api_client.post(f"{API}/sign-in/", {"email": email, "password": password}, format="json")
        for email, password in (("ada@example.com", "wrong password here"), ("nobody@example.com", PASSWORD))
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(api_client, customer):
    rotated = api_client.post(f"{API}/tokens/refresh/", {"refresh": customer["refresh"]}, format="json")
    assert rotated.status_code == 200 and rotated.json()["refresh"] != customer["refresh"]
    reused = api_client.post(f"{API}/tokens/refresh/", {"refresh": customer["refresh"]}, format="json")
    assert reused.status_code == 401 and reused.json()["code"] == "token_invalid"
    # The theft is assumed: the whole session is signed out, the newer tokens too.
    assert api_client.get(f"{API}/me/", **bearer(rotated.json()["access"])).status_code == 401
    again = api_client.post(f"{API}/tokens/refresh/", {"refresh": rotated.json()["refresh"]}, format="json")
    assert again.status_code == 401


def test_an_access_token_is_no_refresh_token_nor_the_reverse(api_client, customer):
    assert api_client.post(f"{API}/tokens/refresh/", {"refresh": customer["access"]}, format="json").status_code == 401
    assert api_client.get(f"{API}/me/", **bearer(customer["refresh"])).status_code == 401


def test_sign_out_revokes_this_session_only_and_everywhere_revokes_all(api_client, customer, sign_in):
    other = sign_in()
    assert api_client.post(f"{API}/sign-out/", {}, format="json", **bearer(customer["access"])).status_code == 204
    assert api_client.get(f"{API}/me/", **bearer(customer["access"])).status_code == 401
    assert api_client.post(f"{API}/tokens/refresh/", {"refresh": customer["refresh"]}, format="json").status_code == 401
    assert api_client.get(f"{API}/me/", **bearer(other["access"])).status_code == 200
    assert api_client.post(f"{API}/sign-out/", {"everywhere": True}, format="json", **bearer(other["access"])).status_code == 204
    assert api_client.get(f"{API}/me/", **bearer(other["access"])).status_code == 401


def test_expired_forged_and_malformed_tokens_are_401(api_client, customer):
    expired = CustomerAccessToken(customer["access"])
    expired.set_exp(from_time=timezone.now() - timedelta(hours=1))
    forged = customer["access"][:-3] + ("abc" if not customer["access"].endswith("abc") else "xyz")
    for header in (f"Bearer {expired}", f"Bearer {forged}", "Bearer", "Bearer a b", "Bearer " + "x" * 5000):
        answer = api_client.get(f"{API}/me/", HTTP_AUTHORIZATION=header)
        assert answer.status_code == 401, header
        assert answer["WWW-Authenticate"].startswith("Bearer")
    assert api_client.get(f"{API}/me/").status_code == 401


def test_password_reset_answers_the_same_for_unknown_emails_and_links_work_once(api_client, customer):
    mail.outbox.clear()
    known = api_client.post(f"{API}/password/reset/", {"email": "ada@example.com"}, format="json")
    unknown = api_client.post(f"{API}/password/reset/", {"email": "nobody@example.com"}, format="json")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, known.json())
    assert "there is none" in next(m for m in mail.outbox if m.to == ["nobody@example.com"]).body
    token = last_link_token("ada@example.com")
    weak = api_client.post(f"{API}/password/reset/confirm/", {"token": token, "password": "short"}, format="json")
    assert weak.status_code == 400 and weak.json()["code"] == "password_rejected"
    done = api_client.post(f"{API}/password/reset/confirm/", {"token": token, "password": "a brand new passphrase"}, format="json")
    assert done.status_code == 204
    reused = api_client.post(f"{API}/password/reset/confirm/", {"token": token, "password": "yet another passphrase"}, format="json")
    assert reused.status_code == 400 and reused.json()["code"] == "link_invalid"
    # Every token of before is revoked; the new password signs in.
    assert api_client.get(f"{API}/me/", **bearer(customer["access"])).status_code == 401
    signed_in = api_client.post(f"{API}/sign-in/", {"email": "ada@example.com", "password": "a brand new passphrase"}, format="json")
    assert signed_in.status_code == 200


def test_reset_links_expire(api_client, customer, settings):
    api_client.post(f"{API}/password/reset/", {"email": "ada@example.com"}, format="json")
    settings.CUSTOMERS_RESET_LINK_SECONDS = -1
    body = {"token": last_link_token("ada@example.com"), "password": "a brand new passphrase"}
    assert api_client.post(f"{API}/password/reset/confirm/", body, format="json").json()["code"] == "link_invalid"


def test_change_password_revokes_every_token_and_gives_this_device_new_ones(api_client, customer, sign_in):
    other = sign_in()
    wrong = api_client.post(
        f"{API}/me/password/", {"current_password": "not it at all", "password": "a brand new passphrase"}, format="json",
        **bearer(customer["access"]),
    )
    assert wrong.status_code == 401
    changed = api_client.post(
        f"{API}/me/password/", {"current_password": PASSWORD, "password": "a brand new passphrase"}, format="json",
        **bearer(customer["access"]),
    )
    assert changed.status_code == 200
    for old in (customer["access"], other["access"]):
        assert api_client.get(f"{API}/me/", **bearer(old)).status_code == 401
    assert api_client.post(f"{API}/tokens/refresh/", {"refresh": other["refresh"]}, format="json").status_code == 401
    assert api_client.get(f"{API}/me/", **bearer(changed.json()["access"])).status_code == 200


def test_change_email_moves_the_account_once_the_new_address_confirms(api_client, customer, register):
    register(email="eve@example.com")
    mail.outbox.clear()
    taken = api_client.post(f"{API}/me/email/", {"email": "eve@example.com", "password": PASSWORD}, format="json", **bearer(customer["access"]))
    assert taken.status_code == 202 and "already has an account" in mail.outbox[-1].body
    asked = api_client.post(f"{API}/me/email/", {"email": "ada@new.example", "password": PASSWORD}, format="json", **bearer(customer["access"]))
    assert asked.status_code == 202
    assert api_client.get(f"{API}/me/", **bearer(customer["access"])).json()["email"] == "ada@example.com"
    token = last_link_token("ada@new.example")
    moved = api_client.post(f"{API}/email/change/confirm/", {"token": token}, format="json")
    assert moved.status_code == 200 and moved.json()["email"] == "ada@new.example"
    assert api_client.post(f"{API}/email/change/confirm/", {"token": token}, format="json").status_code == 400
    assert api_client.post(f"{API}/sign-in/", {"email": "ada@new.example", "password": PASSWORD}, format="json").status_code == 200


def test_unknown_fields_and_wrong_types_are_400(api_client):
    for body in ({"email": "a@example.com", "password": PASSWORD, "is_staff": True}, {"email": 42, "password": PASSWORD}, []):
        answer = api_client.post(f"{API}/register/", body, format="json")
        assert answer.status_code == 400, body
    assert not Customer.objects.exists()


def test_a_staff_session_is_not_a_customer(api_client, django_user_model):
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    api_client.force_login(staff)
    assert api_client.get(f"{API}/me/").status_code == 401


@pytest.fixture
def throttled(settings):
    from django.core.cache import cache

    cache.clear()
    settings.THROTTLES_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "customer_sign_in": "100/min", "customer_sign_in_email": "3/min",
                               "customer_reset": "100/hour", "customer_reset_email": "2/hour"}
    yield
    cache.clear()


def test_brute_force_sign_in_is_throttled_per_email_even_with_the_right_password(api_client, customer, throttled):
    for _ in range(3):
        body = {"email": "ada@example.com", "password": "guess number n"}
        assert api_client.post(f"{API}/sign-in/", body, format="json").status_code == 401
    blocked = api_client.post(f"{API}/sign-in/", {"email": "Ada@Example.com", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    other = api_client.post(f"{API}/sign-in/", {"email": "eve@example.com", "password": "guess"}, format="json")
    assert other.status_code == 401  # another email is counted apart


def test_reset_requests_are_throttled(api_client, customer, throttled):
    codes = [api_client.post(f"{API}/password/reset/", {"email": "ada@example.com"}, format="json").status_code for _ in range(3)]
    assert codes == [202, 202, 429]


def test_a_confirmation_can_be_sent_again_with_the_same_answer_for_any_email(api_client, register):
    register(confirm=False, marketing_consent=True)
    mail.outbox.clear()
    known = api_client.post(f"{API}/email/confirm/resend/", {"email": "ada@example.com"}, format="json")
    unknown = api_client.post(f"{API}/email/confirm/resend/", {"email": "nobody@example.com"}, format="json")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, known.json())
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert api_client.post(f"{API}/email/confirm/", {"token": last_link_token("ada@example.com")}, format="json").status_code == 200
    customer = Customer.objects.get()
    assert customer.marketing_consent and customer.marketing_consent_at is not None  # consent given at registration
    mail.outbox.clear()
    api_client.post(f"{API}/email/confirm/resend/", {"email": "ada@example.com"}, format="json")
    assert not mail.outbox  # confirmed already: nothing to send


def test_the_shop_cannot_be_made_to_flood_one_mailbox(api_client, customer, throttled):
    body = {"email": "ada@example.com", "password": "another fine passphrase"}
    codes = [api_client.post(f"{API}/register/", body, format="json").status_code for _ in range(2)]
    codes.append(api_client.post(f"{API}/email/confirm/resend/", {"email": "ada@example.com"}, format="json").status_code)
    assert codes == [202, 202, 429]
