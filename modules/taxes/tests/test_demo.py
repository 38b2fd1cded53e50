"""The demo shop's taxes: loading twice changes nothing."""

from __future__ import annotations

import pytest

from modules.taxes.demo import taxes_demo_seed
from modules.taxes.models import TaxRate

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once():
    assert taxes_demo_seed() == 14
    assert taxes_demo_seed() == 14 and TaxRate.objects.count() == 14
