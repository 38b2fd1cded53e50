"""A single-use voucher raced by many checkouts at once is redeemed exactly once (real threads, real DB)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from contracts.container import services
from contracts.pricing import VoucherInvalid
from modules.pricing.models import Voucher, VoucherRedemption
from modules.pricing.tests.factories import voucher_make

THREADS = 20


def _race(*, code: str, emails: list[str]) -> list[str]:
    """Redeem ``code`` from one thread per email, all released at once; return each thread's outcome."""
    barrier = threading.Barrier(len(emails))
    outcomes: list[str] = [""] * len(emails)

    def checkout(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            services().pricing.voucher_redeem(
                code=code, reference=f"ORDER-{index}", email=emails[index], currency="EUR", subtotal=Decimal(100)
            )
            outcomes[index] = "redeemed"
        except VoucherInvalid as exc:
            outcomes[index] = exc.reason
        except Exception as exc:  # reported below: any other failure is a bug
            outcomes[index] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _single_use_race() -> None:
    voucher_make("ONLYONE", usage_limit=1)
    outcomes = _race(code="ONLYONE", emails=[f"c{i}@example.com" for i in range(THREADS)])
    assert sorted(outcomes) == ["exhausted"] * (THREADS - 1) + ["redeemed"], outcomes
    assert Voucher.objects.get().times_used == 1
    assert VoucherRedemption.objects.count() == 1


def _per_customer_race() -> None:
    voucher_make("ONCEEACH", per_customer_limit=1)
    outcomes = _race(code="ONCEEACH", emails=["same@example.com"] * (THREADS // 2) + ["OTHER@example.com"] * (THREADS // 2))
    assert sorted(outcomes) == ["exhausted"] * (THREADS - 2) + ["redeemed"] * 2, outcomes
    assert Voucher.objects.get().times_used == 2


def test_single_use_voucher_is_redeemed_once_under_concurrency_on_postgresql(postgres, transactional_db) -> None:
    _single_use_race()


def test_per_customer_limit_holds_under_concurrency_on_postgresql(postgres, transactional_db) -> None:
    _per_customer_race()


@pytest.mark.parametrize("race", [_single_use_race, _per_customer_race], ids=["single_use", "per_customer"])
def test_the_same_races_hold_on_the_configured_database(transactional_db, race) -> None:
    race()
