"""QueueQueries on SQLite and PostgreSQL: a counter's state, the hall snapshot, the feed."""

from __future__ import annotations

import uuid

from app.bootstrap import Core
from app.services.clock import ManualClock
from tests.unit.services.queue_helpers import (
    HALL,
    local,
    login,
)


def test_counter_state_of_a_closed_counter(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "APPLY")
    state = hall.queries.counter_state(HALL, 3)  # APPLY, PAY
    assert not state.session_open and state.staff is None and state.current is None
    assert state.waiting == (("APPLY", 1), ("PAY", 0))
    assert state.waiting_total == 1
    assert state.last_event_id == hall.queries.last_event_id(HALL) > 0


def test_counter_state_follows_the_counter(hall: Core, clock: ManualClock) -> None:
    for code in ("PAY", "PAY", "APPLY", "ENQ", "PAY"):
        hall.queue.issue_ticket(HALL, code)
        clock.advance(30)
    login(hall, 1)  # PAY, APPLY
    hall.queue.call_next(HALL, 1)
    hall.queue.hold(HALL, 1)
    hall.queue.call_next(HALL, 1)
    hall.queue.start_serving(HALL, 1)
    state = hall.queries.counter_state(HALL, 1)
    assert state.session_open and state.staff is not None and state.staff.name == "王芳"
    assert state.current is not None and state.current.display_number == "A002"
    assert state.current.status == "serving" and state.current.counter_number == 1
    assert [t.display_number for t in state.held] == ["A001"]
    assert state.waiting == (("PAY", 1), ("APPLY", 1))  # ENQ is not served here
    assert not state.paused
    hall.queue.finish(HALL, 1)
    assert hall.queries.counter_state(HALL, 1).current is None


def test_counter_state_counts_only_todays_waiting(hall: Core, clock: ManualClock) -> None:
    clock.set(local(23, 18))
    hall.queue.issue_ticket(HALL, "PAY")
    clock.set(local(24, 9))
    hall.queue.issue_ticket(HALL, "PAY")
    assert hall.queries.counter_state(HALL, 1).waiting == (("PAY", 1), ("APPLY", 0))
    assert hall.queries.snapshot(HALL).waiting_total == 1


def test_snapshot_loads_boards_and_recent_calls(hall: Core, clock: ManualClock) -> None:
    # PAY alerts after 15 min, APPLY after 25 min.
    for code in ("PAY", "PAY", "PAY", "APPLY"):
        hall.queue.issue_ticket(HALL, code)
        clock.advance(5 * 60)
    login(hall, 1)
    login(hall, 2)
    hall.queue.call_next(HALL, 1)  # A001
    hall.queue.recall(HALL, 1)
    hall.queue.call_next(HALL, 2)  # A002
    login(hall, 3)
    hall.counters.pause(HALL, 3, "lunch")
    clock.set(local(23, 9, 30))  # A003 waits since 09:10, B001 since 09:15
    snap = hall.queries.snapshot(HALL)
    loads = {load.service_code: load for load in snap.loads}
    assert [load.service_code for load in snap.loads] == ["PAY", "APPLY", "ENQ", "GREEN"]
    assert (loads["PAY"].waiting, loads["PAY"].longest_wait_s) == (1, 20 * 60)
    assert loads["PAY"].over_threshold == 1
    assert (loads["APPLY"].waiting, loads["APPLY"].longest_wait_s) == (1, 15 * 60)
    assert loads["APPLY"].over_threshold == 0
    assert (loads["ENQ"].waiting, loads["ENQ"].longest_wait_s) == (0, 0)
    assert snap.waiting_total == 2
    boards = {b.counter_number: b for b in snap.counters}
    assert (boards[1].current_number, boards[1].open, boards[1].paused) == ("A001", True, False)
    assert boards[2].current_number == "A002"
    assert (boards[3].current_number, boards[3].open, boards[3].paused) == ("", True, True)
    assert (boards[4].current_number, boards[4].open) == ("", False)
    assert [(e.kind, e.display_number, e.counter_number) for e in snap.recent_calls] == [
        ("called", "A002", 2),
        ("recalled", "A001", 1),
        ("called", "A001", 1),
    ]
    assert snap.taken_at == clock.now()
    assert snap.last_event_id == hall.queries.last_event_id(HALL)
    assert len(hall.queries.snapshot(HALL, recent=1).recent_calls) == 1


def test_events_after_and_last_event_id(hall: Core) -> None:
    start = hall.queries.last_event_id(HALL)
    assert hall.queries.events_after(HALL, start) == []
    issued = hall.queue.issue_ticket(HALL, "PAY").ticket
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    events = hall.queries.events_after(HALL, start)
    assert [e.kind for e in events] == ["issued", "opened", "called"]
    assert [e.display_number for e in events] == ["A001", "", "A001"]
    assert events[2].counter_number == 1 and events[0].service_id == issued.service_id
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert hall.queries.last_event_id(HALL) == events[-1].id
    assert [e.kind for e in hall.queries.events_after(HALL, events[0].id)] == ["opened", "called"]
    assert [e.kind for e in hall.queries.events_after(HALL, start, limit=1)] == ["issued"]


def test_ticket_by_id(hall: Core) -> None:
    issued = hall.queue.issue_ticket(HALL, "APPLY").ticket
    got = hall.queries.ticket(issued.id)
    assert got == issued
    login(hall, 3)
    hall.queue.call_next(HALL, 3)
    got = hall.queries.ticket(issued.id)
    assert got is not None and got.status == "called" and got.counter_number == 3
    assert hall.queries.ticket(uuid.uuid4()) is None


def test_hall_info(hall: Core) -> None:
    info = hall.queries.hall(HALL)
    assert info.code == HALL and info.timezone == "Asia/Shanghai"
    assert [c.number for c in info.counters] == [1, 2, 3, 4, 5, 6]
    pay, apply_ = info.service("PAY"), info.service("APPLY")
    assert pay is not None and apply_ is not None
    assert info.counter(1).service_ids == (pay.id, apply_.id)  # type: ignore[union-attr]
    assert info.counter(1).transfer_service_id == apply_.id  # type: ignore[union-attr]


def test_snapshot_counts_each_service_against_its_own_threshold(
    hall: Core, clock: ManualClock
) -> None:
    # PAY alerts after 15 min, APPLY after 25 min, GREEN after 10 min.
    clock.set(local(23, 9))
    for code in ("PAY", "APPLY", "GREEN", "PAY", "APPLY", "PAY", "GREEN"):
        hall.queue.issue_ticket(HALL, code)
        clock.advance(4 * 60)
    clock.set(local(23, 9, 30))  # waits: PAY 30, 18, 10 min; APPLY 26, 14; GREEN 22, 6
    loads = {load.service_code: load for load in hall.queries.snapshot(HALL).loads}
    assert [(code, loads[code].waiting, loads[code].over_threshold) for code in loads] == [
        ("PAY", 3, 2),
        ("APPLY", 2, 1),
        ("ENQ", 0, 0),
        ("GREEN", 2, 1),
    ]
    assert loads["PAY"].longest_wait_s == 30 * 60
