"""Celery tasks of pricing: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from modules.pricing import price_lists


@shared_task(name="modules.pricing.tasks.price_list_windows_publish")
def price_list_windows_publish() -> int:
    return price_lists.price_list_windows_publish()
