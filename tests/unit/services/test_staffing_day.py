"""What the staffing advisor reads of a hall day: arrivals, time at a counter and counters
open per hour of the hall's clock, from rows the real queue service wrote, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from app.bootstrap import Core
from app.services import errors
from app.services.clock import ManualClock
from app.services.monitoring.staffing import counters_needed
from app.services.monitoring.staffing_day import read_hall_day
from tests.unit.services.queue_helpers import HALL, local, login

DAY = date(2026, 11, 23)


def _at(clock: ManualClock, minute_of_day: str) -> None:
    hour, minute = (int(x) for x in minute_of_day.split(":"))
    clock.set(local(23, hour, minute))


def _morning(hall: Core, clock: ManualClock) -> None:
    """Counters 1 (PAY, APPLY) and 4 (APPLY, ENQ) open 08:30-09:45, counter 4 pauses
    09:20-09:35; PAY is issued at 08:40 and 08:50, APPLY at 08:45, ENQ at 09:10 and sent
    on to PAY at 09:15."""
    q = hall.queue
    steps = [
        ("8:30", lambda: login(hall, 1)),
        ("8:30", lambda: login(hall, 4)),
        ("8:40", lambda: q.issue_ticket(HALL, "PAY")),
        ("8:41", lambda: q.call_next(HALL, 1)),  # PAY 1: 6 min at the counter
        ("8:45", lambda: q.issue_ticket(HALL, "APPLY")),
        ("8:46", lambda: q.call_next(HALL, 4)),  # APPLY 1: 10 min
        ("8:47", lambda: q.finish(HALL, 1)),
        ("8:50", lambda: q.issue_ticket(HALL, "PAY")),
        ("8:51", lambda: q.call_next(HALL, 1)),  # PAY 2 is called ...
        ("8:56", lambda: q.finish(HALL, 4)),
        ("8:57", lambda: q.no_show(HALL, 1)),  # ... never comes: 6 min of the counter all the same
        ("9:10", lambda: q.issue_ticket(HALL, "ENQ")),
        ("9:12", lambda: q.call_next(HALL, 4)),
        ("9:15", lambda: q.transfer(HALL, 4, "PAY")),  # 3 min at ENQ; a PAY leg joins
        ("9:20", lambda: hall.counters.pause(HALL, 4, "break")),
        ("9:20", lambda: q.call_next(HALL, 1)),  # the transferred leg: 10 min
        ("9:30", lambda: q.finish(HALL, 1)),
        ("9:35", lambda: hall.counters.resume(HALL, 4)),
        ("9:45", lambda: hall.counters.close_session(HALL, 1)),
        ("9:45", lambda: hall.counters.close_session(HALL, 4)),
    ]
    for at, step in steps:
        _at(clock, at)
        step()


def test_a_morning_read_back(hall: Core, clock: ManualClock) -> None:
    _morning(hall, clock)
    clock.set(local(24, 9))
    hall.queue.issue_ticket(HALL, "PAY")  # the next day's: not this day's
    day = read_hall_day(hall.db, HALL, DAY, now=local(24, 12))
    assert (day.hall, day.day, day.timezone) == (HALL, DAY, "Asia/Shanghai")
    assert (day.opened, day.closed) == (local(23, 8, 30), local(23, 9, 45))
    assert day.hours == (8, 9)
    by = {s.code: s for s in day.services}
    assert list(by) == ["PAY", "APPLY", "ENQ", "GREEN"]
    # Rates per hour open: 08:30-09:00 is half an hour, 09:00-09:45 three quarters.
    assert by["PAY"].arrivals == {8: 4.0, 9: pytest.approx(4 / 3)}
    assert by["APPLY"].arrivals == {8: 2.0, 9: 0.0}
    assert by["ENQ"].arrivals == {8: 0.0, 9: pytest.approx(4 / 3)}
    assert [(s.arrived, s.timed) for s in by.values()] == [(3, 3), (1, 1), (1, 1), (0, 0)]
    # first call to finish, no-show and transfer included: (6 + 6 + 10) / 3 min
    assert by["PAY"].mean_service_s == pytest.approx(22 * 60 / 3)
    assert by["APPLY"].mean_service_s == 600.0
    assert by["ENQ"].mean_service_s == 180.0
    assert by["GREEN"].mean_service_s == 300.0  # nobody timed: the service's default
    # Counters open, per hour open; counter 4's quarter-hour pause left out of 09:00.
    assert by["PAY"].open_counters == {8: 1.0, 9: 1.0}
    assert by["APPLY"].open_counters == {8: 2.0, 9: pytest.approx(1 + 2 / 3)}
    assert by["ENQ"].open_counters == {8: 1.0, 9: pytest.approx(2 / 3)}
    assert by["GREEN"].open_counters == {8: 0.0, 9: 0.0}
    assert day.hall_open == {8: 2.0, 9: pytest.approx(1 + 2 / 3)}

    advice = day.advise({"PAY": 60.0})  # one minute for PAY, the thresholds for the rest
    pay8 = advice.row("PAY", 8)
    assert pay8 is not None and pay8.target_wait_s == 60.0
    assert pay8.counters == counters_needed(4.0, 22 * 60 / 3, 60.0)
    enq9 = advice.row("ENQ", 9)
    assert enq9 is not None and enq9.target_wait_s == 20 * 60  # the demo ENQ threshold
    assert [t.open_counters for t in advice.totals] == [2.0, pytest.approx(1 + 2 / 3)]
    with pytest.raises(ValueError, match=r"unknown service XYZ \(known: PAY, APPLY, ENQ"):
        day.advise({"XYZ": 60.0})


def test_a_session_still_open_counts_up_to_now(hall: Core, clock: ManualClock) -> None:
    _at(clock, "10:00")
    login(hall, 6)  # GREEN, PAY, APPLY, ENQ
    _at(clock, "10:10")
    hall.queue.issue_ticket(HALL, "GREEN")
    day = read_hall_day(hall.db, HALL, DAY, now=local(23, 10, 30))
    assert (day.opened, day.closed) == (local(23, 10), local(23, 10, 30))
    assert day.hours == (10,)
    by = {s.code: s for s in day.services}
    assert by["GREEN"].arrivals == {10: 2.0}  # one in the half hour open so far
    assert by["GREEN"].open_counters == {10: 1.0} == day.hall_open
    assert by["GREEN"].timed == 0 and by["GREEN"].arrived == 1


def test_a_day_without_rows_and_a_hall_that_does_not_exist(hall: Core) -> None:
    day = read_hall_day(hall.db, HALL, date(2026, 11, 1), now=local(23, 9))
    assert day.hours == () and day.opened is None and day.hall_open == {}
    assert all(s.arrivals == {} and s.arrived == 0 for s in day.services)
    assert day.advise().rows == ()
    with pytest.raises(errors.DomainError) as caught:
        read_hall_day(hall.db, "NOPE", DAY, now=local(23, 9))
    assert caught.value.code == errors.UNKNOWN_HALL
