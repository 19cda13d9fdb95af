"""The counter desk on SQLite and PostgreSQL: the keypad and the window ask one table, the
counter's state is one truth, and the display's "now calling" holds only current calls."""

from __future__ import annotations

from app.bootstrap import Core, build_station, counter_desk
from app.devices.frame68 import Key
from app.services import errors
from app.services.desks.counter import StepArgs
from app.services.devices.keypad import KeypadActions
from app.services.errors import DomainError
from app.services.queue.service import MAX_RECALLS


def _log_in(core: Core, counter: int = 1, job: str = "1001") -> None:
    core.counters.open_session("DEMO", counter, core.auth.login(job, "1234"))


def _evaluations(core: Core) -> int:
    with core.db.read() as s:
        from sqlalchemy import func, select

        from app.models import Evaluation

        return int(s.scalar(select(func.count()).select_from(Evaluation)) or 0)


def test_the_keypad_asks_the_desks_table(core: Core) -> None:
    desk = counter_desk(core)
    keypad = KeypadActions(desk.press)
    assert keypad.press(1, Key.CALL_NEXT) is False  # nobody logged in: refused
    _log_in(core)
    core.queue.issue_ticket("DEMO", "PAY")
    assert keypad.press(1, Key.CALL_NEXT) is True
    assert keypad.press(1, Key.FINISH) is True
    # The service alone would rate the ticket just finished; the desk's rules say there
    # is no customer at the counter, for the keypad as for the window's F11.
    assert keypad.press(1, Key.ASK_RATING) is False
    assert _evaluations(core) == 0
    core.queue.issue_ticket("DEMO", "PAY")
    assert keypad.press(1, Key.CALL_NEXT) is True
    for _ in range(MAX_RECALLS):
        assert keypad.press(1, Key.RECALL) is True
    assert keypad.press(1, Key.RECALL) is False
    state = desk.read(1)
    assert "recall" not in state.allowed and "rate" in state.allowed
    assert keypad.press(1, Key.ASK_RATING) is True
    assert _evaluations(core) == 1


def test_a_refused_step_names_its_reason_and_changes_nothing(core: Core) -> None:
    desk = counter_desk(core)
    _log_in(core)
    before = core.queries.last_event_id("DEMO")
    try:
        desk.step(1, "recall")
    except DomainError as exc:
        assert exc.code == errors.NO_CURRENT_TICKET
    else:
        raise AssertionError("recall with no customer was not refused")
    assert core.queries.last_event_id("DEMO") == before


def test_the_desk_shows_a_counter_opened_elsewhere(core: Core) -> None:
    """After a restart the window reads the counter as it is: 王芳 serving B001."""
    _log_in(core)
    core.queue.issue_ticket("DEMO", "APPLY")
    core.queue.call_next("DEMO", 1)
    fresh = build_station(core).counter  # a new process: nobody logged in here
    desk = fresh.read(1)
    assert desk.state is not None and desk.state.session_open
    assert desk.state.staff is not None and desk.state.staff.job_number == "1001"
    assert desk.state.current is not None and desk.state.current.display_number == "B001"
    again = fresh.log_in("1001", "1234", 1)  # logging in again keeps the customer
    assert again.desk.state is not None and again.desk.state.current is not None


def _now_calling(core: Core) -> list[tuple[str, int | None]]:
    return [(e.display_number, e.counter_number) for e in core.queries.snapshot("DEMO").now_calling]


def test_now_calling_holds_only_current_calls(core: Core) -> None:
    desk = counter_desk(core)
    _log_in(core, 1, "1001")
    _log_in(core, 2, "1002")
    for service in ("PAY", "PAY", "APPLY"):
        core.queue.issue_ticket("DEMO", service)
    desk.step(1, "call_next")
    desk.step(2, "call_next")
    assert _now_calling(core) == [("A002", 2), ("A001", 1)]
    desk.step(2, "finish")  # finished: no longer called anywhere
    assert _now_calling(core) == [("A001", 1)]
    desk.step(1, "transfer", StepArgs(service_code="APPLY"))  # transferred: gone
    assert _now_calling(core) == []
    desk.step(1, "call_next")  # the transferred leg keeps its place: called again
    assert _now_calling(core) == [("A001", 1)]
    desk.step(1, "finish")
    desk.step(1, "pause", StepArgs(reason="break"))
    desk.step(2, "logout")
    assert _now_calling(core) == []


def test_the_timer_restarts_when_a_held_customer_is_called_back(core: Core) -> None:
    desk = counter_desk(core)
    _log_in(core)
    core.queue.issue_ticket("DEMO", "PAY")
    first = desk.step(1, "call_next").desk.state
    assert first is not None and first.current is not None
    desk.step(1, "hold")
    back = desk.step(1, "call_back").desk.state
    assert back is not None and back.current is not None and back.current_since is not None
    assert back.current.called_at == first.current.called_at  # the first call is kept
    assert back.current_since > first.current.called_at  # the timer counts from call back
