"""The one rule of holds: active and not past ``expires_at``; the SQL and the Python form agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.inventory.models import Reservation, in_state_q
from modules.inventory.selectors import reservations_in_state


@pytest.mark.django_db
def test_an_active_hold_past_its_expiry_counts_as_expired_in_sql_and_in_python():
    now = timezone.now()
    for i, (state, offset) in enumerate(
        [(state, offset) for state in Reservation.State.values for offset in (-60, 0, 60)]
    ):
        Reservation.objects.create(reference=f"r{i}", state=state, expires_at=now + timedelta(seconds=offset))
    for state in Reservation.State.values:
        in_sql = set(Reservation.objects.filter(in_state_q(state=state, now=now)).values_list("reference", flat=True))
        in_python = {r.reference for r in Reservation.objects.all() if r.state_at(now) == state}
        assert in_sql == in_python
        assert set(reservations_in_state(state=state, now=now).values_list("reference", flat=True)) == in_python
    past = Reservation.objects.get(reference="r0")  # active, 60 s past its expiry
    assert past.state_at(now) == "expired" and not past.holds_at(now)
