"""The deployable and composition root: settings, URLs, wiring, the event bus and Celery."""

from commerce.celery import app as celery_app

__all__ = ["celery_app"]
