"""Credit repair (信用修复) on the small district: the register as its truth says, then an approved repair delivered
before the later run withdraws its penalty from every published artefact (checks in tests/support/credit_repair.py)."""

from __future__ import annotations

import pytest

from tests.support.credit_repair import check_register_reaches_the_status_mart, check_repair_withdraws_penalty
from tests.support.later_run import LaterDelivery
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def test_the_register_reaches_the_status_mart(small_run: Settings) -> None:
    check_register_reaches_the_status_mart(small_run)


def test_an_approved_repair_withdraws_the_penalty_on_the_next_publish(later_delivery: LaterDelivery) -> None:
    check_repair_withdraws_penalty(later_delivery.settings, later_delivery.repair)
