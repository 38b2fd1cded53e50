"""Management commands of the deployable."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from commerce.eventbus.tests.conftest import order_placed
from commerce.schedule import schedule_build
from contracts.events import publish


@pytest.mark.django_db(transaction=True)
def test_events_lists_types_publishers_subscribers_and_counts():
    with transaction.atomic():
        publish(order_placed())
    out = StringIO()
    call_command("events", stdout=out)
    text = out.getvalue()
    assert "checkout.OrderPlaced v1  publisher=checkout  published=1" in text
    assert "-> eventprobe.record  pending=0  retrying=0  delivered=1  dead=0" in text
    assert "inventory.StockReserved" in text


@pytest.mark.django_db
def test_ensure_staff_generates_a_password_once(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    first, second = StringIO(), StringIO()
    call_command("ensure_staff", stdout=first)
    call_command("ensure_staff", stdout=second)
    password = first.getvalue().split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff and user.is_superuser and user.check_password(password)
    assert "exists" in second.getvalue() and password not in second.getvalue()


@pytest.mark.django_db
def test_ensure_staff_takes_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "shopkeeper")
    monkeypatch.setenv("ADMIN_PASSWORD", "a-long-chosen-passphrase")
    call_command("ensure_staff", stdout=StringIO())
    assert get_user_model().objects.get(username="shopkeeper").check_password("a-long-chosen-passphrase")


@pytest.mark.django_db(transaction=True)
def test_run_schedule_runs_every_periodic_task_in_process():
    out = StringIO()
    call_command("run_schedule", "--once", stdout=out)
    lines = out.getvalue().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(schedule_build())
    assert all(not line.endswith("failed (see the log)") for line in lines)


@pytest.mark.django_db(transaction=True)
def test_run_schedule_survives_a_database_outage_in_one_task(monkeypatch):
    from django.db import OperationalError

    from commerce.celery import app

    app.loader.import_default_modules()
    sweep = app.tasks["commerce.eventbus.tasks.events_sweep"]

    def outage(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(sweep, "run", outage)
    out, err = StringIO(), StringIO()
    call_command("run_schedule", "--once", stdout=out, stderr=err)
    assert "events-sweep: failed" in err.getvalue()
    # Every other periodic task still ran, in the same process.
    ran = sorted(line.split(":")[0] for line in out.getvalue().splitlines())
    assert ran == sorted(name for name in schedule_build() if name != "events-sweep")


def test_a_process_schedules_only_its_installed_modules_tasks(settings):
    settings.MODULES = ("inventory",)
    assert sorted(schedule_build()) == ["events-purge", "events-sweep", "reservations-expire", "reservations-purge"]
    settings.MODULES = ("catalog", "pricing", "inventory", "checkout")
    tasks = {entry["task"] for entry in schedule_build().values()}
    assert "modules.pricing.tasks.price_list_windows_publish" in tasks and "modules.checkout.tasks.carts_purge" in tasks


def test_celery_beat_runs_the_same_schedule():
    from commerce.celery import app

    assert app.conf.beat_schedule == schedule_build()
