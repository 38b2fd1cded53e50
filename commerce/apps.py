"""The composition root's app: installs the contract implementations and the event bus."""

from __future__ import annotations

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from commerce import checks  # noqa: F401  registers the deployment checks
        from commerce.celery import app as celery_app
        from commerce.eventbus.bus import OutboxBus
        from commerce.schedule import schedule_build
        from commerce.wiring import services_build
        from contracts.container import services_install
        from contracts.events import bus_install

        services_install(services_build())
        bus_install(OutboxBus())
        celery_app.conf.beat_schedule = schedule_build()  # the installed modules' periodic tasks only
