"""A module's transaction: opened on the database that holds the module's tables."""

from __future__ import annotations

from django.db import models, router, transaction


def atomic_for(model: type[models.Model]) -> transaction.Atomic:
    """Open a transaction on the database ``model``'s module lives in (its own, when it has one).

    Every module writes through this, so a module moved to a database of its
    own (``<MODULE>_DATABASE_URL``) keeps its transactions without a change.
    """
    return transaction.atomic(using=router.db_for_write(model))
