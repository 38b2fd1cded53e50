"""Celery tasks of the recommendations module: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from modules.recommendations.services import sales_purge as sales_purge_service


@shared_task(name="modules.recommendations.tasks.sales_purge")
def sales_purge() -> int:
    return sales_purge_service()
