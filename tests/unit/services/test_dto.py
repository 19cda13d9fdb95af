"""IssuedTicket's wait: one definition for the kiosk screen and the printed ticket."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.services.dto import IssuedTicket, ServiceInfo, TicketInfo

NOW = datetime(2024, 5, 1, 1, 30, tzinfo=UTC)
ISSUED = IssuedTicket(
    ticket=TicketInfo(
        uuid.uuid4(),
        "DEMO-20240501-A001",
        "A001",
        uuid.uuid4(),
        "waiting",
        0,
        NOW,
        NOW,
        None,
        None,
        None,
        None,
        0,
        0,
        None,
    ),
    service=ServiceInfo(uuid.uuid4(), "PAY", "A", "缴费业务", "Bill payment", 0, 30, 300),
    hall_name_zh="示范营业厅",
    hall_name_en="Demo Service Hall",
    ahead=0,
    estimated_wait_s=0,
)


@pytest.mark.parametrize(
    ("ahead", "wait_s", "no_wait", "minutes"),
    [
        (0, 0, True, 0),  # nobody ahead: no wait, not "about a minute", not "0 minutes"
        (0, 90, True, 0),  # nobody ahead wins over a stray estimate
        (1, 0, False, 1),  # somebody ahead: never "0 minutes"
        (1, 1, False, 1),
        (1, 60, False, 1),
        (1, 61, False, 2),  # whole minutes, rounded up
        (3, 540, False, 9),
    ],
)
def test_wait_in_whole_minutes_with_an_explicit_no_wait(
    ahead: int, wait_s: int, no_wait: bool, minutes: int
) -> None:
    issued = replace(ISSUED, ahead=ahead, estimated_wait_s=wait_s)
    assert issued.no_wait is no_wait
    assert issued.estimated_wait_min == minutes
