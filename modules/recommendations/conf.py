"""The module's settings, with their defaults (``commerce/settings.py`` reads them from the environment)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

# Forward decay is measured from this instant: scores grow as 2^(days since / half-life) and stay within a
# float for ~1000 half-lives (80 years at the default 30 days; the half-life is kept at 7 days or more).
DECAY_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
MIN_HALF_LIFE_DAYS = 7


def half_life_days() -> float:
    """Return after how many days an order weighs half as much in "bought together"."""
    return max(float(getattr(settings, "RECOMMENDATIONS_HALF_LIFE_DAYS", 30)), MIN_HALF_LIFE_DAYS)


def popular_window_days() -> int:
    """Return how many days back "popular in this category" counts sales."""
    return int(getattr(settings, "RECOMMENDATIONS_POPULAR_WINDOW_DAYS", 30))


def max_order_lines() -> int:
    """Return how many lines of one order are considered: an order costs at most this squared in pairs."""
    return int(getattr(settings, "RECOMMENDATIONS_MAX_ORDER_LINES", 20))
