"""QueueService on SQLite and PostgreSQL: issuing, calling, recall, no-show, hold, transfer.

The demo hall: PAY (A), APPLY (B), ENQ (C), GREEN (V, priority weight 10); counter 1 serves
PAY then APPLY, counter 3 APPLY then PAY, counter 5 ENQ then APPLY, counter 6 GREEN, PAY,
APPLY, ENQ. Counter 1 transfers to APPLY by default.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Core, build_core
from app.models import Ticket, TicketEvent
from app.services.clock import ManualClock
from app.services.errors import DomainError
from app.services.queue.service import MAX_RECALLS
from tests.conftest import make_settings
from tests.unit.services.queue_helpers import (
    HALL,
    assert_refused,
    dump,
    local,
    login,
    status_of,
)


def _tickets(core: Core) -> list[Ticket]:
    with core.db.read() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.issued_at, Ticket.number)))


def _event_kinds(core: Core, ticket_id: object) -> list[str]:
    with core.db.read() as s:
        return list(
            s.scalars(
                select(TicketEvent.kind)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.id)
            )
        )


# ---------------------------------------------------------------------------- issuing
def test_numbers_run_per_service(hall: Core, clock: ManualClock) -> None:
    issued = []
    for code in ("PAY", "PAY", "APPLY", "PAY", "APPLY"):
        issued.append(hall.queue.issue_ticket(HALL, code))
        clock.advance(10)
    assert [i.ticket.display_number for i in issued] == ["A001", "A002", "B001", "A003", "B002"]
    assert [i.ahead for i in issued] == [0, 1, 0, 2, 1]
    assert issued[0].ticket.code == "DEMO-20261123-A001"
    assert issued[0].ticket.status == "waiting"
    assert issued[0].service.code == "PAY"
    assert issued[0].hall_name_zh == "示范营业厅"
    assert _event_kinds(hall, issued[0].ticket.id) == ["issued"]


def test_numbering_restarts_at_the_halls_midnight_and_keeps_history(
    hall: Core, clock: ManualClock
) -> None:
    clock.set(local(23, 7, 59))  # 23:59 UTC of the 22nd: the hall's day is the 23rd
    assert hall.queue.issue_ticket(HALL, "PAY").ticket.display_number == "A001"
    clock.set(local(23, 8, 1))  # UTC midnight passed, the hall's day did not
    assert hall.queue.issue_ticket(HALL, "PAY").ticket.display_number == "A002"
    clock.set(local(23, 23, 59, 59))
    assert hall.queue.issue_ticket(HALL, "PAY").ticket.display_number == "A003"
    clock.advance(2)  # 00:00:01 on the 24th in Shanghai
    nxt = hall.queue.issue_ticket(HALL, "PAY").ticket
    assert nxt.display_number == "A001"
    assert nxt.code == "DEMO-20261124-A001"
    rows = _tickets(hall)
    assert [(t.business_date.day, t.number) for t in rows] == [(23, 1), (23, 2), (23, 3), (24, 1)]


def test_people_ahead_counts_priority(hall: Core, clock: ManualClock) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    clock.advance(5)
    hall.queue.issue_ticket(HALL, "PAY")
    clock.advance(5)
    vip = hall.queue.issue_ticket(HALL, "PAY", priority=2)
    assert vip.ahead == 0
    clock.advance(5)
    assert hall.queue.issue_ticket(HALL, "PAY").ahead == 3
    assert hall.queue.issue_ticket(HALL, "APPLY").ahead == 0


def test_estimate_falls_with_more_open_counters(hall: Core, clock: ManualClock) -> None:
    # PAY's default service time is 180 s; counters 1, 2, 3 and 6 serve PAY.
    first = [hall.queue.issue_ticket(HALL, "PAY") for _ in range(3)]
    assert [i.estimated_wait_s for i in first] == [0, 180, 360]
    assert first[2].estimated_wait_min == 6
    login(hall, 1)
    one = hall.queue.issue_ticket(HALL, "PAY")
    assert (one.ahead, one.estimated_wait_s) == (3, 540)
    login(hall, 2)
    login(hall, 3)
    three = hall.queue.issue_ticket(HALL, "PAY")
    assert (three.ahead, three.estimated_wait_s) == (4, 240)
    assert three.estimated_wait_s < one.estimated_wait_s
    # A counter that does not serve PAY, or that is paused, does not shorten the wait.
    login(hall, 5)
    hall.counters.pause(HALL, 3, "lunch")
    later = hall.queue.issue_ticket(HALL, "PAY")
    assert (later.ahead, later.estimated_wait_s) == (5, 450)


def test_estimate_follows_recent_service_times(hall: Core, clock: ManualClock) -> None:
    login(hall, 1)
    for _ in range(3):
        hall.queue.issue_ticket(HALL, "PAY")
    for _ in range(3):  # each customer takes 60 s at the counter
        hall.queue.call_next(HALL, 1)
        hall.queue.start_serving(HALL, 1)
        clock.advance(60)
        hall.queue.finish(HALL, 1)
    hall.queue.issue_ticket(HALL, "PAY")
    fast = hall.queue.issue_ticket(HALL, "PAY")
    assert (fast.ahead, fast.estimated_wait_s) == (1, 60)
    for _ in range(2):  # two slow ones (600 s) join the recent average: (3×60+2×600)/5
        hall.queue.call_next(HALL, 1)
        hall.queue.start_serving(HALL, 1)
        clock.advance(600)
        hall.queue.finish(HALL, 1)
    hall.queue.issue_ticket(HALL, "PAY")
    slow = hall.queue.issue_ticket(HALL, "PAY")
    assert (slow.ahead, slow.estimated_wait_s) == (1, 276)
    # Another service has its own history: APPLY still uses its default (480 s).
    hall.queue.issue_ticket(HALL, "APPLY")
    assert hall.queue.issue_ticket(HALL, "APPLY").estimated_wait_s == 480


def test_two_dispensers_give_distinct_numbers(hall: Core) -> None:
    got = []
    for _ in range(3):
        for name, rng in (("D1", (1, 499)), ("D2", (500, 999))):
            issued = hall.queue.issue_ticket(HALL, "PAY", dispenser=name, number_range=rng)
            got.append(issued.ticket.display_number)
    assert got == ["A001", "A500", "A002", "A501", "A003", "A502"]
    assert {t.dispenser for t in _tickets(hall)} == {"D1", "D2"}


def test_exhausted_range_is_refused_and_writes_nothing(hall: Core) -> None:
    issue = hall.queue.issue_ticket
    assert (
        issue(HALL, "PAY", dispenser="D3", number_range=(998, 999)).ticket.display_number == "A998"
    )
    assert (
        issue(HALL, "PAY", dispenser="D3", number_range=(998, 999)).ticket.display_number == "A999"
    )
    err = assert_refused(
        hall,
        "series_exhausted",
        lambda: issue(HALL, "PAY", dispenser="D3", number_range=(998, 999)),
    )
    assert "A999" in err.message
    # The other services and dispensers carry on.
    assert (
        issue(HALL, "APPLY", dispenser="D3", number_range=(998, 999)).ticket.display_number
        == "B998"
    )
    assert issue(HALL, "PAY", dispenser="D1", number_range=(1, 499)).ticket.display_number == "A001"


def test_overlapping_dispenser_ranges_are_refused(hall: Core) -> None:
    issue = hall.queue.issue_ticket
    assert issue(HALL, "PAY", dispenser="D1", number_range=(1, 10)).ticket.display_number == "A001"
    err = assert_refused(
        hall, "bad_input", lambda: issue(HALL, "PAY", dispenser="D2", number_range=(1, 10))
    )
    assert "overlaps" in err.message
    assert issue(HALL, "PAY", dispenser="D1", number_range=(1, 10)).ticket.display_number == "A002"


def test_issue_refuses_bad_input(hall: Core) -> None:
    issue = hall.queue.issue_ticket
    assert_refused(hall, "unknown_hall", lambda: issue("NOPE", "PAY"))
    assert_refused(hall, "unknown_service", lambda: issue(HALL, "NOPE"))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", priority=-1))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", priority=99))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", number_range=(0, 10)))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", number_range=(20, 10)))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", number_range=(1, 1000)))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", dispenser=""))
    assert_refused(hall, "bad_input", lambda: issue(HALL, "PAY", dispenser="D" * 17))
    assert _tickets(hall) == []


# ---------------------------------------------------------------------------- calling
def test_call_next_orders_by_priority_then_counter_order_then_time(
    hall: Core, clock: ManualClock
) -> None:
    for code, prio in (
        ("ENQ", 0),  # C001
        ("APPLY", 0),  # B001
        ("PAY", 0),  # A001
        ("APPLY", 1),  # B002 elderly
        ("GREEN", 0),  # V001: weight 10
        ("PAY", 0),  # A002
        ("APPLY", 0),  # B003
    ):
        hall.queue.issue_ticket(HALL, code, priority=prio)
        clock.advance(30)
    login(hall, 6)  # GREEN, PAY, APPLY, ENQ
    login(hall, 3)  # APPLY, PAY
    order6 = [hall.queue.call_next(HALL, 6) for _ in range(3)]
    assert [t.display_number for t in order6 if t] == ["V001", "B002", "A001"]
    order3 = [hall.queue.call_next(HALL, 3) for _ in range(2)]
    assert [t.display_number for t in order3 if t] == ["B001", "B003"]
    rest = [hall.queue.call_next(HALL, 6) for _ in range(3)]
    assert [t.display_number if t else None for t in rest] == ["A002", "C001", None]


def test_call_next_takes_only_the_counters_services(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    hall.queue.issue_ticket(HALL, "GREEN")
    login(hall, 5)  # ENQ, APPLY
    assert hall.queue.call_next(HALL, 5) is None
    assert status_of(hall, "A001") == ["waiting"]
    login(hall, 1)  # PAY, APPLY: not GREEN
    assert hall.queue.call_next(HALL, 1).display_number == "A001"  # type: ignore[union-attr]
    assert hall.queue.call_next(HALL, 1) is None
    assert status_of(hall, "V001") == ["waiting"]


def test_yesterdays_waiting_tickets_are_not_called(hall: Core, clock: ManualClock) -> None:
    clock.set(local(23, 23, 50))
    old = hall.queue.issue_ticket(HALL, "PAY").ticket
    clock.set(local(24, 8, 30))
    login(hall, 1)
    assert hall.queue.call_next(HALL, 1) is None
    assert_refused(hall, "ticket_not_waiting", lambda: hall.queue.call_number(HALL, 1, "A001"))
    assert_refused(hall, "ticket_not_waiting", lambda: hall.queue.call_number(HALL, 1, old.code))
    today = hall.queue.issue_ticket(HALL, "PAY").ticket
    called = hall.queue.call_next(HALL, 1)
    assert called is not None and called.id == today.id
    assert hall.queries.ticket(old.id).status == "waiting"  # type: ignore[union-attr]


def test_call_next_on_an_empty_queue(hall: Core) -> None:
    login(hall, 1)
    before = dump(hall.db)
    assert hall.queue.call_next(HALL, 1) is None
    assert dump(hall.db) == before


def test_call_next_finishes_the_current_ticket(hall: Core, clock: ManualClock) -> None:
    a1 = hall.queue.issue_ticket(HALL, "PAY").ticket
    a2 = hall.queue.issue_ticket(HALL, "PAY").ticket
    login(hall, 1)
    first = hall.queue.call_next(HALL, 1)
    assert first is not None and first.id == a1.id and first.status == "called"
    assert first.counter_number == 1 and first.called_at == clock.now()
    clock.advance(90)
    second = hall.queue.call_next(HALL, 1)
    assert second is not None and second.id == a2.id
    done = hall.queries.ticket(a1.id)
    assert done is not None and done.status == "done" and done.finished_at == clock.now()
    assert done.serving_at == first.called_at  # served without pressing Start
    clock.advance(60)
    assert hall.queue.call_next(HALL, 1) is None  # nobody left: the last one is finished too
    assert hall.queries.ticket(a2.id).status == "done"  # type: ignore[union-attr]
    assert _event_kinds(hall, a1.id) == ["issued", "called", "done"]


def test_two_counters_never_share_a_ticket(hall: Core) -> None:
    for _ in range(4):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    login(hall, 2)
    got = [hall.queue.call_next(HALL, n) for n in (1, 2, 1, 2)]
    assert [t.display_number for t in got if t] == ["A001", "A002", "A003", "A004"]
    assert [t.counter_number for t in got if t] == [1, 2, 1, 2]


# ---------------------------------------------------------------------------- 指呼
def test_call_number_by_number_and_by_printed_code(hall: Core, clock: ManualClock) -> None:
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(3)]
    login(hall, 1)
    third = hall.queue.call_number(HALL, 1, " a003 ")
    assert third.id == issued[2].id and third.status == "called" and third.counter_number == 1
    clock.advance(30)
    second = hall.queue.call_number(HALL, 1, issued[1].code)
    assert second.id == issued[1].id
    assert status_of(hall, "A003") == ["done"]  # the current one was finished
    assert hall.queue.call_next(HALL, 1).id == issued[0].id  # type: ignore[union-attr]


def test_call_number_refuses_what_is_not_waiting(hall: Core) -> None:
    a1 = hall.queue.issue_ticket(HALL, "PAY").ticket
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    login(hall, 2)
    hall.queue.call_next(HALL, 2)  # A001 is at counter 2 now
    call = hall.queue.call_number
    assert_refused(hall, "ticket_not_waiting", lambda: call(HALL, 1, "A001"))
    assert_refused(hall, "ticket_not_waiting", lambda: call(HALL, 1, a1.code))
    assert_refused(hall, "ticket_not_waiting", lambda: call(HALL, 1, "A099"))
    assert_refused(hall, "ticket_not_waiting", lambda: call(HALL, 1, "Z001"))
    assert_refused(hall, "ticket_not_waiting", lambda: call(HALL, 1, "DEMO-20261123-A077"))
    assert_refused(hall, "ticket_not_waiting", lambda: call(HALL, 1, "OTHER-20261123-A002"))
    for garbage in ("", "   ", "A1", "A0001", "1234", "AB12", "A01x", "DROP TABLE", "\x00\x01"):
        assert_refused(hall, "bad_input", lambda g=garbage: call(HALL, 1, g))  # type: ignore[misc]
    assert status_of(hall, "A002") == ["waiting"]


# ---------------------------------------------------------------------------- at the counter
def test_recall_at_most_five_times(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    called = hall.queue.call_next(HALL, 1)
    assert called is not None
    counts = [hall.queue.recall(HALL, 1).recall_count for _ in range(MAX_RECALLS)]
    assert counts == [1, 2, 3, 4, 5]
    assert_refused(hall, "recall_limit", lambda: hall.queue.recall(HALL, 1))
    assert _event_kinds(hall, called.id) == ["issued", "called"] + ["recalled"] * 5


def test_no_show_only_while_called(hall: Core, clock: ManualClock) -> None:
    a1 = hall.queue.issue_ticket(HALL, "PAY").ticket
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    clock.advance(120)
    gone = hall.queue.no_show(HALL, 1)
    assert gone.id == a1.id and gone.status == "no_show" and gone.finished_at == clock.now()
    assert hall.queries.counter_state(HALL, 1).current is None
    hall.queue.call_next(HALL, 1)
    hall.queue.start_serving(HALL, 1)
    assert_refused(hall, "not_serving", lambda: hall.queue.no_show(HALL, 1))
    assert _event_kinds(hall, a1.id) == ["issued", "called", "no_show"]


def test_start_serving_and_finish(hall: Core, clock: ManualClock) -> None:
    a1 = hall.queue.issue_ticket(HALL, "PAY").ticket
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    clock.advance(20)
    serving = hall.queue.start_serving(HALL, 1)
    assert serving.status == "serving" and serving.serving_at == clock.now()
    assert_refused(hall, "not_serving", lambda: hall.queue.start_serving(HALL, 1))
    clock.advance(200)
    done = hall.queue.finish(HALL, 1)
    assert done.status == "done" and done.finished_at == clock.now()
    assert done.finished_at - done.serving_at == clock.now() - serving.serving_at  # type: ignore[operator]
    assert _event_kinds(hall, a1.id) == ["issued", "called", "serving", "done"]
    assert_refused(hall, "no_current_ticket", lambda: hall.queue.finish(HALL, 1))


def test_hold_and_call_back_the_oldest(hall: Core, clock: ManualClock) -> None:
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(4)]
    login(hall, 1)
    login(hall, 2)
    for _ in range(2):
        hall.queue.call_next(HALL, 1)
        clock.advance(10)
        assert hall.queue.hold(HALL, 1).status == "held"
    assert hall.queue.call_next(HALL, 2).id == issued[2].id  # type: ignore[union-attr]
    hall.queue.finish(HALL, 2)
    hall.queue.call_next(HALL, 1)  # A004
    assert_refused(hall, "counter_busy", lambda: hall.queue.call_back(HALL, 1))
    assert_refused(hall, "no_held_ticket", lambda: hall.queue.call_back(HALL, 2))
    hall.queue.finish(HALL, 1)
    back = hall.queue.call_back(HALL, 1)
    assert back.id == issued[0].id and back.status == "called" and back.counter_number == 1
    hall.queue.finish(HALL, 1)
    assert hall.queue.call_back(HALL, 1).id == issued[1].id
    hall.queue.finish(HALL, 1)
    assert_refused(hall, "no_held_ticket", lambda: hall.queue.call_back(HALL, 1))
    assert _event_kinds(hall, issued[0].id) == ["issued", "called", "held", "called_back", "done"]


def test_call_back_a_named_held_ticket(hall: Core) -> None:
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(3)]
    login(hall, 1)
    login(hall, 2)
    for _ in range(3):
        hall.queue.call_next(HALL, 1)
        hall.queue.hold(HALL, 1)
    state = hall.queries.counter_state(HALL, 1)
    assert [t.id for t in state.held] == [t.id for t in issued]
    assert hall.queue.call_back(HALL, 1, issued[1].id).id == issued[1].id
    hall.queue.finish(HALL, 1)
    # Another counter cannot call back what counter 1 holds, nor call it as next.
    assert_refused(hall, "no_held_ticket", lambda: hall.queue.call_back(HALL, 2, issued[0].id))
    assert hall.queue.call_next(HALL, 2) is None
    assert_refused(hall, "no_held_ticket", lambda: hall.queue.call_back(HALL, 1, issued[1].id))
    assert status_of(hall, "A001") == ["held"] and status_of(hall, "A003") == ["held"]


def test_transfer_keeps_the_place_and_records_the_chain(hall: Core, clock: ManualClock) -> None:
    a1 = hall.queue.issue_ticket(HALL, "PAY").ticket  # 09:00
    clock.advance(60)
    b1 = hall.queue.issue_ticket(HALL, "APPLY").ticket  # 09:01
    clock.advance(60)
    login(hall, 1)
    login(hall, 5)  # ENQ, APPLY
    hall.queue.call_next(HALL, 1)
    clock.advance(60)
    leg = hall.queue.transfer(HALL, 1)  # counter 1's transfer service: APPLY
    assert leg.display_number == "A001" and leg.code == a1.code and leg.status == "waiting"
    assert leg.service_id == hall.halls.get(HALL).service("APPLY").id  # type: ignore[union-attr]
    assert leg.queue_at == a1.queue_at and leg.issued_at == clock.now()
    assert (leg.origin_id, leg.transfers) == (a1.id, 1)
    assert hall.queries.ticket(a1.id).status == "transferred"  # type: ignore[union-attr]
    assert hall.queries.counter_state(HALL, 1).current is None
    # A001 was issued before B001, so it is called first in APPLY.
    first = hall.queue.call_next(HALL, 5)
    assert first is not None and first.id == leg.id
    again = hall.queue.transfer(HALL, 5, "ENQ")
    assert (again.origin_id, again.transfers) == (a1.id, 2)
    with hall.db.read() as s:
        third = s.get(Ticket, again.id)
        assert third is not None and third.previous_id == leg.id
        second = s.get(Ticket, leg.id)
        assert second is not None and second.previous_id == a1.id
    assert status_of(hall, "A001") == ["transferred", "transferred", "waiting"]
    assert hall.queue.call_next(HALL, 5).id == again.id  # type: ignore[union-attr]
    assert hall.queue.call_next(HALL, 5).id == b1.id  # type: ignore[union-attr]
    assert _event_kinds(hall, a1.id) == ["issued", "called", "transferred"]


def test_transfer_refusals(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "APPLY")
    login(hall, 1)
    assert_refused(hall, "no_current_ticket", lambda: hall.queue.transfer(HALL, 1, "ENQ"))
    hall.queue.call_next(HALL, 1)
    # B001 already is in APPLY, counter 1's default transfer target.
    assert_refused(hall, "bad_transfer", lambda: hall.queue.transfer(HALL, 1))
    assert_refused(hall, "bad_transfer", lambda: hall.queue.transfer(HALL, 1, "APPLY"))
    assert_refused(hall, "unknown_service", lambda: hall.queue.transfer(HALL, 1, "NOPE"))
    assert status_of(hall, "B001") == ["called"]


# ---------------------------------------------------------------------------- refused steps
def test_steps_without_a_current_ticket_change_nothing(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    q = hall.queue
    for step in (q.finish, q.recall, q.hold, q.no_show, q.start_serving, q.transfer):
        assert_refused(hall, "no_current_ticket", lambda st=step: st(HALL, 1))  # type: ignore[misc]


def test_steps_at_a_paused_counter_change_nothing(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    hall.counters.pause(HALL, 1, "training")
    q = hall.queue
    assert_refused(hall, "counter_paused", lambda: q.call_next(HALL, 1))
    assert_refused(hall, "counter_paused", lambda: q.call_number(HALL, 1, "A001"))
    assert_refused(hall, "counter_paused", lambda: q.call_back(HALL, 1))


def test_steps_with_nobody_logged_in_change_nothing(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    q = hall.queue
    for step in (q.call_next, q.recall, q.finish, q.hold, q.call_back, q.no_show):
        assert_refused(hall, "counter_closed", lambda st=step: st(HALL, 2))  # type: ignore[misc]
    assert_refused(hall, "counter_closed", lambda: q.call_number(HALL, 2, "A001"))


def test_unknown_hall_and_counter_change_nothing(hall: Core) -> None:
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    q = hall.queue
    assert_refused(hall, "unknown_hall", lambda: q.call_next("NOPE", 1))
    assert_refused(hall, "unknown_counter", lambda: q.call_next(HALL, 99))
    assert_refused(hall, "unknown_counter", lambda: q.call_next(HALL, -1))
    assert_refused(hall, "unknown_counter", lambda: q.call_number(HALL, 0, "A001"))
    assert_refused(hall, "unknown_counter", lambda: q.transfer(HALL, 42, "PAY"))


def test_smoke_on_the_system_clock(core: Core) -> None:
    """The `core` fixture (system clock): issue and call on both databases."""
    staff = core.auth.login("1001", "1234")
    core.counters.open_session(HALL, 1, staff)
    issued = core.queue.issue_ticket(HALL, "PAY")
    assert issued.ticket.display_number == "A001"
    called = core.queue.call_next(HALL, 1)
    assert called is not None and called.id == issued.ticket.id
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TicketEvent)) >= 3
    with pytest.raises(DomainError) as caught:
        core.queue.call_number(HALL, 1, "A001")
    assert caught.value.code == "ticket_not_waiting"


# ---------------------------------------------------------------------------- moments
class InterleavingClock(ManualClock):
    """A manual clock whose `fire_on`-th read lets another station issue a ticket a second
    later before the reading step goes on, as if the step's thread were descheduled
    right after reading the clock. The issue gets half a second: on SQLite it waits for
    the write lock whenever the step read the clock holding it."""

    def __init__(self, core_for_issue: list[Core]) -> None:
        super().__init__(local(23, 9))
        self._core = core_for_issue
        self.fire_on = 0
        self.issuer: threading.Thread | None = None

    def now(self) -> datetime:
        moment = super().now()
        self.fire_on -= 1
        if self.fire_on == 0:
            self.advance(1)
            queue = self._core[0].queue
            self.issuer = threading.Thread(target=queue.issue_ticket, args=(HALL, "PAY"))
            self.issuer.start()
            # PostgreSQL: the issue takes no lock the step holds, so it is waited for in
            # full (a loaded machine once took over half a second); SQLite: it waits for
            # the step's write lock, so half a second shows it is kept waiting.
            postgres = self._core[0].db.dialect == "postgresql"
            self.issuer.join(None if postgres else 0.5)
        return moment


@pytest.fixture
def interleaved(db_url: str, tmp_path: Path) -> Iterator[tuple[Core, InterleavingClock]]:
    holder: list[Core] = []
    clock = InterleavingClock(holder)
    core = build_core(make_settings(db_url), data_dir=tmp_path, demo=True, clock=clock)
    holder.append(core)
    login(core, 1)
    try:
        yield core, clock
    finally:
        core.close()


def test_call_next_is_never_dated_before_the_issue_it_calls(
    interleaved: tuple[Core, InterleavingClock],
) -> None:
    """A ticket issued while "call next" is between reading the clock and picking: SQLite
    makes the issue wait for the call's write lock (so the call finds nobody, and the
    next call takes the ticket); PostgreSQL lets the call see it, and calls it no earlier
    than it was issued."""
    core, clock = interleaved
    clock.fire_on = 1  # the call's one read
    called = core.queue.call_next(HALL, 1)
    assert clock.issuer is not None
    clock.issuer.join()
    if called is None:
        assert core.db.dialect == "sqlite"
        called = core.queue.call_next(HALL, 1)
    assert called is not None and called.called_at is not None
    assert called.issued_at <= called.called_at
    with core.db.read() as s:
        moments = {kind: at for kind, at in s.execute(select(TicketEvent.kind, TicketEvent.at))}
    assert moments["issued"] <= moments["called"]


def test_call_number_is_never_dated_before_the_issue_it_calls(
    interleaved: tuple[Core, InterleavingClock],
) -> None:
    core, clock = interleaved
    clock.fire_on = 2  # the step's own read, after the one that checks what was typed
    if core.db.dialect == "sqlite":  # the issue waits for the step's write lock
        with pytest.raises(DomainError, match="no waiting ticket A001"):
            core.queue.call_number(HALL, 1, "A001")
        assert clock.issuer is not None
        clock.issuer.join()
    called = core.queue.call_number(HALL, 1, "A001")
    assert called.called_at is not None and called.issued_at <= called.called_at


class StallingClock:
    """The system clock, read by a thread that is then descheduled for a moment, as the
    GIL or the OS may do to any thread right after it read the clock."""

    def __init__(self) -> None:
        self._stalls = random.Random(7)

    def now(self) -> datetime:
        moment = datetime.now(UTC)
        time.sleep(self._stalls.uniform(0, 0.003))
        return moment


def test_timestamps_keep_their_order_under_contention(db_url: str, tmp_path: Path) -> None:
    """Four counters issuing and calling at once: each step takes its moment once it holds
    its lock, so no ticket is called before it was issued (or finished before it was
    called), however long a step waited for the lock or stalled after reading the clock."""
    core = build_core(make_settings(db_url), data_dir=tmp_path, demo=True, clock=StallingClock())
    try:
        _issue_and_call_at_once(core)
        tickets = _tickets(core)
    finally:
        core.close()
    assert len(tickets) == 100 and all(t.status == "done" for t in tickets)
    for t in tickets:
        assert t.called_at is not None and t.finished_at is not None
        assert t.issued_at <= t.called_at <= t.finished_at, t.display_number


def _issue_and_call_at_once(core: Core) -> None:
    counters = (1, 2, 3, 6)  # each serves PAY and APPLY
    for n in counters:
        login(core, n)
    start = threading.Barrier(len(counters))
    failed: list[BaseException] = []

    def counter(n: int) -> None:
        try:
            start.wait()
            for i in range(25):
                core.queue.issue_ticket(HALL, "PAY" if i % 2 else "APPLY")
                core.queue.call_next(HALL, n)
            core.queue.finish(HALL, n)
        except BaseException as exc:  # reported below
            failed.append(exc)

    threads = [threading.Thread(target=counter, args=(n,)) for n in counters]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failed, failed
