"""CounterService on SQLite and PostgreSQL: log in, pause with a reason, resume, log out."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.bootstrap import Core
from app.models import CounterPause, CounterSession, Staff, TicketEvent
from app.services.clock import ManualClock
from tests.unit.services.queue_helpers import (
    HALL,
    assert_refused,
    dump,
    login,
    status_of,
)


def _sessions(core: Core) -> list[tuple[int, str, bool]]:
    """(counter number, job number, still open) of every session, oldest first."""
    hall_info = core.halls.get(HALL)
    numbers = {c.id: c.number for c in hall_info.counters}
    with core.db.read() as s:
        rows = s.execute(
            select(CounterSession, Staff.job_number)
            .join(Staff, Staff.id == CounterSession.staff_id)
            .order_by(CounterSession.started_at, Staff.job_number)
        ).all()
        return [(numbers[cs.counter_id], job, cs.ended_at is None) for cs, job in rows]


def _staff_id(core: Core, job_number: str) -> uuid.UUID:
    with core.db.read() as s:
        found = s.scalar(select(Staff.id).where(Staff.job_number == job_number))
    assert found is not None
    return found


def test_open_and_close_a_session(hall: Core, clock: ManualClock) -> None:
    login(hall, 1)
    state = hall.queries.counter_state(HALL, 1)
    assert state.session_open and state.staff is not None and state.staff.job_number == "1001"
    clock.advance(3600)
    hall.counters.close_session(HALL, 1)
    assert _sessions(hall) == [(1, "1001", False)]
    assert not hall.queries.counter_state(HALL, 1).session_open
    with hall.db.read() as s:
        cs = s.scalars(select(CounterSession)).one()
        assert (
            cs.ended_at is not None and cs.ended_at - cs.started_at == clock.now() - cs.started_at
        )
        kinds = list(s.scalars(select(TicketEvent.kind).order_by(TicketEvent.id)))
    assert kinds == ["opened", "closed"]
    assert_refused(hall, "counter_closed", lambda: hall.counters.close_session(HALL, 1))


def test_logging_in_elsewhere_closes_the_clerks_other_session(
    hall: Core, clock: ManualClock
) -> None:
    login(hall, 1, "1001")
    clock.advance(60)
    login(hall, 2, "1001")
    assert _sessions(hall) == [(1, "1001", False), (2, "1001", True)]
    assert not hall.queries.counter_state(HALL, 1).session_open
    # Another clerk taking counter 2 closes the session there.
    clock.advance(60)
    login(hall, 2, "1002")
    assert _sessions(hall) == [(1, "1001", False), (2, "1001", False), (2, "1002", True)]
    assert hall.queries.counter_state(HALL, 2).staff.job_number == "1002"  # type: ignore[union-attr]


def test_logging_in_elsewhere_while_serving_is_refused(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1, "1001")
    hall.queue.call_next(HALL, 1)
    staff = hall.auth.login("1001", "1234")
    assert_refused(hall, "counter_busy", lambda: hall.counters.open_session(HALL, 2, staff))
    assert _sessions(hall) == [(1, "1001", True)]


def test_open_session_refuses_a_bare_id_a_forged_actor_and_inactive_staff(hall: Core) -> None:
    """Steps are recorded under the session's clerk: only a proven log-in opens one."""
    open_session = hall.counters.open_session
    assert_refused(hall, "not_authenticated", lambda: open_session(HALL, 1, uuid.uuid4()))
    staff_id = _staff_id(hall, "1003")
    assert_refused(hall, "not_authenticated", lambda: open_session(HALL, 1, staff_id))
    staff = hall.auth.login("1003", "1234")
    forged = replace(staff, staff=replace(staff.staff, id=_staff_id(hall, "1004")))
    assert_refused(hall, "not_authenticated", lambda: open_session(HALL, 1, forged))
    with hall.db.write() as s:
        s.execute(update(Staff).where(Staff.id == staff_id).values(active=False))
    assert_refused(hall, "bad_input", lambda: open_session(HALL, 1, staff))
    assert_refused(hall, "unknown_counter", lambda: open_session(HALL, 77, staff))
    assert_refused(hall, "unknown_hall", lambda: open_session("NOPE", 1, staff))


def test_pause_with_a_reason_and_resume(hall: Core, clock: ManualClock) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    hall.counters.pause(HALL, 1, "  lunch  ")
    state = hall.queries.counter_state(HALL, 1)
    assert state.paused and state.pause_reason == "lunch"
    assert hall.queries.snapshot(HALL).counters[0].paused
    assert_refused(hall, "counter_paused", lambda: hall.queue.call_next(HALL, 1))
    clock.advance(1800)
    hall.counters.resume(HALL, 1)
    state = hall.queries.counter_state(HALL, 1)
    assert not state.paused and state.pause_reason == ""
    with hall.db.read() as s:
        pause = s.scalars(select(CounterPause)).one()
        assert pause.reason == "lunch"
        assert pause.ended_at is not None and (pause.ended_at - pause.started_at).seconds == 1800
    assert hall.queue.call_next(HALL, 1).display_number == "A001"  # type: ignore[union-attr]


def test_pause_and_resume_refusals(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    c = hall.counters
    assert_refused(hall, "bad_input", lambda: c.pause(HALL, 1, ""))
    assert_refused(hall, "bad_input", lambda: c.pause(HALL, 1, "   \t"))
    assert_refused(hall, "not_paused", lambda: c.resume(HALL, 1))
    assert_refused(hall, "counter_closed", lambda: c.pause(HALL, 2, "lunch"))
    assert_refused(hall, "counter_closed", lambda: c.resume(HALL, 2))
    assert_refused(hall, "unknown_counter", lambda: c.pause(HALL, 99, "lunch"))
    hall.queue.call_next(HALL, 1)
    assert_refused(hall, "counter_busy", lambda: c.pause(HALL, 1, "lunch"))
    hall.queue.finish(HALL, 1)
    c.pause(HALL, 1, "lunch")
    assert_refused(hall, "counter_paused", lambda: c.pause(HALL, 1, "again"))


def test_logging_out_returns_held_tickets_to_their_place(hall: Core, clock: ManualClock) -> None:
    for _ in range(3):
        hall.queue.issue_ticket(HALL, "PAY")
        clock.advance(60)
    login(hall, 1)
    login(hall, 2)
    hall.queue.call_next(HALL, 1)
    hall.queue.hold(HALL, 1)  # A001 held at counter 1
    hall.queue.call_next(HALL, 1)
    assert_refused(hall, "counter_busy", lambda: hall.counters.close_session(HALL, 1))
    hall.queue.finish(HALL, 1)  # A002 done
    hall.counters.close_session(HALL, 1)
    assert status_of(hall, "A001") == ["waiting"]
    assert hall.queries.counter_state(HALL, 1).held == ()
    # Back at its original place: before A003, issued later.
    called = hall.queue.call_next(HALL, 2)
    assert called is not None and called.display_number == "A001" and called.counter_number == 2


def test_a_paused_session_closed_by_a_new_login_ends_its_pause(hall: Core) -> None:
    login(hall, 1, "1001")
    hall.counters.pause(HALL, 1, "meeting")
    login(hall, 1, "1002")
    state = hall.queries.counter_state(HALL, 1)
    assert state.session_open and not state.paused
    with hall.db.read() as s:
        assert s.scalars(select(CounterPause)).one().ended_at is not None


def test_logging_in_again_at_the_same_counter_keeps_the_session(
    hall: Core, clock: ManualClock
) -> None:
    for _ in range(2):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    hall.queue.hold(HALL, 1)
    hall.counters.pause(HALL, 1, "phone")
    clock.advance(30)
    before = dump(hall.db)
    login(hall, 1)  # the workstation restarted
    assert dump(hall.db) == before
    state = hall.queries.counter_state(HALL, 1)
    assert state.paused and state.pause_reason == "phone"
    assert [t.display_number for t in state.held] == ["A001"]


def test_the_database_allows_one_open_session_per_counter_and_clerk(hall: Core) -> None:
    login(hall, 1, "1001")
    info = hall.halls.get(HALL)
    counter1, counter2 = info.counter(1), info.counter(2)
    assert counter1 is not None and counter2 is not None
    clerk1, clerk2 = _staff_id(hall, "1001"), _staff_id(hall, "1002")
    for counter_id, staff in ((counter1.id, clerk2), (counter2.id, clerk1)):
        with pytest.raises(IntegrityError), hall.db.write() as s:
            s.add(
                CounterSession(
                    id=uuid.uuid4(),
                    counter_id=counter_id,
                    staff_id=staff,
                    started_at=hall.clock.now(),
                )
            )
    with hall.db.write() as s:  # closed sessions do not count
        s.execute(update(CounterSession).values(ended_at=hall.clock.now()))
        s.add(
            CounterSession(
                id=uuid.uuid4(),
                counter_id=counter1.id,
                staff_id=clerk1,
                started_at=hall.clock.now(),
            )
        )
