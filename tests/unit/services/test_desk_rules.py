"""The one table of what a counter may do now, asked by the window and the keypad alike."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.services import errors
from app.services.desks.rules import ACTIONS, allowed_actions, refusal
from app.services.dto import CounterState, StaffInfo, TicketInfo
from app.services.queue.service import MAX_RECALLS

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CLERK = StaffInfo(uuid.uuid4(), "1001", "王芳", "clerk")


def _ticket(status: str = "called", recalls: int = 0) -> TicketInfo:
    return TicketInfo(
        uuid.uuid4(), "DEMO-20261203-A001", "A001", uuid.uuid4(), status, 0, NOW, NOW,
        NOW, NOW if status == "serving" else None, None, 1, recalls, 0, None,
    )  # fmt: skip


OPEN = CounterState(1, True, CLERK, False, "", None, (), (("PAY", 3),), 7)
CLOSED = replace(OPEN, session_open=False, staff=None)
PAUSED = replace(OPEN, paused=True, pause_reason="break")
CALLED = replace(OPEN, current=_ticket("called"))
SERVING = replace(OPEN, current=_ticket("serving"))
RECALLED_OUT = replace(OPEN, current=_ticket("serving", MAX_RECALLS))
HELD = replace(OPEN, held=(_ticket("held"),))

TABLE = {
    "closed": (CLOSED, set()),
    "paused": (PAUSED, {"pause", "logout"}),
    "idle": (OPEN, {"call_next", "call_number", "pause", "logout"}),
    "idle with a held ticket": (HELD, {"call_next", "call_number", "pause", "logout", "call_back"}),
    "called": (
        CALLED,
        {
            "call_next",
            "call_number",
            "recall",
            "start",
            "finish",
            "no_show",
            "hold",
            "transfer",
            "rate",
        },
    ),  # fmt: skip
    "serving": (
        SERVING,
        {"call_next", "call_number", "recall", "finish", "hold", "transfer", "rate"},
    ),
    "recalled five times": (
        RECALLED_OUT,
        {"call_next", "call_number", "finish", "hold", "transfer", "rate"},
    ),
}


@pytest.mark.parametrize("case", TABLE)
def test_allowed_actions(case: str) -> None:
    state, allowed = TABLE[case]
    assert allowed_actions(state) == allowed


def test_a_missing_state_is_a_closed_counter() -> None:
    assert allowed_actions(None) == frozenset()
    assert {refusal(a, None) for a in ACTIONS} == {errors.COUNTER_CLOSED}


@pytest.mark.parametrize(
    ("action", "state", "code"),
    [
        ("call_next", PAUSED, errors.COUNTER_PAUSED),
        ("recall", OPEN, errors.NO_CURRENT_TICKET),
        ("recall", RECALLED_OUT, errors.RECALL_LIMIT),
        ("rate", OPEN, errors.NO_CURRENT_TICKET),  # nobody at the counter: nobody to rate
        ("start", SERVING, errors.NOT_SERVING),
        ("no_show", SERVING, errors.NOT_SERVING),
        ("pause", CALLED, errors.COUNTER_BUSY),
        ("logout", SERVING, errors.COUNTER_BUSY),
        ("call_back", OPEN, errors.NO_HELD_TICKET),
        ("call_back", replace(HELD, current=_ticket()), errors.COUNTER_BUSY),
        ("dance", OPEN, errors.BAD_INPUT),
    ],
)
def test_refusals_name_the_reason(action: str, state: CounterState, code: str) -> None:
    assert refusal(action, state) == code
    assert action not in allowed_actions(state)
