"""The manager's live figures and the threshold alerts (issue 10), on fixed data with a
clock that moves when told, on SQLite and PostgreSQL. Every expected figure is worked
out by hand in the comments next to it.

Demo hall limits: PAY waits 15 min, handles 10 min, queues 15; counter 1 serves PAY first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.bootstrap import Core
from app.services.clock import ManualClock
from app.services.monitoring.alert_rules import (
    CENTRE_OFFLINE,
    HANDLING_OVER,
    QUEUE_LONG,
    WAIT_OVER,
    AlertRules,
)
from app.services.monitoring.live import HallMonitor, HallNow
from tests.unit.services.queue_helpers import HALL, local, login

MIN = 60


@pytest.fixture
def monitor(hall: Core, clock: ManualClock) -> HallMonitor:
    return HallMonitor(hall.db, hall.halls, clock)


@pytest.fixture
def rules(hall: Core) -> AlertRules:
    return AlertRules(hall.evaluations)


def at(clock: ManualClock, hour: int, minute: int, second: int = 0) -> None:
    clock.set(local(23, hour, minute, second))


def test_waits_handling_idle_and_the_estimate(hall: Core, clock: ManualClock, monitor):
    at(clock, 9, 0)
    login(hall, 1)
    hall.queue.issue_ticket(HALL, "PAY")  # A001 at 09:00
    at(clock, 9, 2)
    hall.queue.issue_ticket(HALL, "PAY")  # A002 at 09:02
    at(clock, 9, 5)
    assert hall.queue.call_next(HALL, 1).display_number == "A001"  # waited 5 min
    at(clock, 9, 12)
    hall.queue.finish(HALL, 1)  # handled 09:05-09:12: 7 min
    at(clock, 9, 20)
    now = monitor.now(HALL)
    pay = now.service("PAY")
    assert pay.waiting == 1
    assert pay.longest_wait_s == 18 * MIN  # A002 since 09:02
    assert pay.over_wait_limit  # 18 > 15
    assert pay.avg_wait_today_s == 5 * MIN  # only A001 was called
    assert pay.served_today == 1
    assert pay.estimate_s == 7 * MIN  # 1 waiting × 7 min ÷ 1 open counter serving PAY
    one = now.counter(1)
    assert (one.state, one.clerk_job, one.since) == ("idle", "1001", local(23, 9, 12))
    assert one.idle_today_s == 20 * MIN - 7 * MIN  # logged in 20 min, 7 of them busy
    assert now.counter(2).state == "closed"
    # a pause: not idle, shown with its reason and start
    hall.counters.pause(HALL, 1, "lunch")
    at(clock, 9, 30)
    now = monitor.now(HALL)
    one = now.counter(1)
    assert (one.state, one.pause_reason, one.since) == ("paused", "lunch", local(23, 9, 20))
    assert one.idle_today_s == 13 * MIN
    assert now.service("PAY").estimate_s == 0  # no open counter serves PAY now
    hall.counters.resume(HALL, 1)
    at(clock, 9, 31)
    called = hall.queue.call_next(HALL, 1)
    assert called is not None and called.display_number == "A002"
    at(clock, 9, 33)
    hall.queue.start_serving(HALL, 1)
    at(clock, 9, 40)
    one = monitor.now(HALL).counter(1)
    assert (one.state, one.ticket, one.since) == ("serving", "A002", local(23, 9, 33))
    assert one.elapsed_s(local(23, 9, 40)) == 7 * MIN
    # idle: 09:00-09:05, 09:12-09:20 and 09:30-09:31 = 5 + 8 + 1 minutes
    assert one.idle_today_s == 14 * MIN


def test_satisfaction_leaves_out_the_customers_who_did_not_rate(hall: Core, clock, monitor):
    at(clock, 9, 0)
    login(hall, 1)
    for rating in (0, 1, 3, None):
        hall.queue.issue_ticket(HALL, "PAY")
        hall.queue.call_next(HALL, 1)
        request = hall.evaluations.request_rating(HALL, 1)
        if rating is None:
            hall.evaluations.expire(request.id)
        else:
            hall.evaluations.record_rating(request.id, rating)
        hall.queue.finish(HALL, 1)
        clock.advance(60)
    now = monitor.now(HALL)
    assert (now.rated_today, now.satisfied_today, now.dissatisfied_today) == (3, 2, 1)
    assert now.satisfaction == pytest.approx(2 / 3)
    assert [a.kind for a in now.open_alerts] == ["dissatisfied"]


def _kinds(view: HallNow) -> list[tuple[str, str]]:
    return sorted((a.kind, a.source) for a in view.open_alerts)


def test_the_wait_alert_fires_once_at_the_limit_and_clears(hall: Core, clock, monitor, rules):
    at(clock, 9, 0)
    login(hall, 1)
    hall.queue.issue_ticket(HALL, "PAY")
    at(clock, 9, 14, 59)
    assert rules.check(HALL, monitor.now(HALL)) == 0
    at(clock, 9, 15, 1)
    assert rules.check(HALL, monitor.now(HALL)) == 1
    assert _kinds(monitor.now(HALL)) == [(WAIT_OVER, "service PAY")]
    at(clock, 9, 16)
    assert rules.check(HALL, monitor.now(HALL)) == 0  # still the same episode
    hall.queue.call_next(HALL, 1)
    at(clock, 9, 17)
    assert rules.check(HALL, monitor.now(HALL)) == 1  # cleared
    view = monitor.now(HALL)
    assert view.open_alerts == ()
    (kept,) = [a for a in view.alerts_today if a.kind == WAIT_OVER]
    assert kept.cleared_by_system and kept.acknowledged_at == local(23, 9, 17)


def test_an_alert_a_manager_acknowledged_does_not_come_back_while_it_lasts(
    hall: Core, clock, monitor, rules
):
    at(clock, 9, 0)
    hall.queue.issue_ticket(HALL, "PAY")
    at(clock, 9, 16)
    rules.check(HALL, monitor.now(HALL))
    (alert,) = monitor.now(HALL).open_alerts
    manager = hall.auth.login("8001", "1234")
    hall.evaluations.acknowledge(alert.id, manager, "opened counter 2")
    for minute in (17, 25, 40):  # the customer still waits: the same episode
        at(clock, 9, minute)
        assert rules.check(HALL, monitor.now(HALL)) == 0
    seen = next(a for a in monitor.now(HALL).alerts_today if a.id == alert.id)
    assert seen.note == "opened counter 2" and seen.acknowledged_by == manager.id
    # the episode ends, a new one begins: a new alert
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    hall.queue.finish(HALL, 1)
    hall.queue.issue_ticket(HALL, "PAY")
    at(clock, 9, 41)
    assert rules.check(HALL, monitor.now(HALL)) == 0  # nobody over the limit
    at(clock, 9, 56)
    assert rules.check(HALL, monitor.now(HALL)) == 1
    assert _kinds(monitor.now(HALL)) == [(WAIT_OVER, "service PAY")]


def test_handling_over_is_per_customer(hall: Core, clock, monitor, rules):
    at(clock, 9, 0)
    login(hall, 1)
    hall.queue.issue_ticket(HALL, "PAY")
    hall.queue.issue_ticket(HALL, "PAY")
    first = hall.queue.call_next(HALL, 1)
    at(clock, 9, 9, 59)
    assert rules.check(HALL, monitor.now(HALL)) == 0
    at(clock, 9, 10, 1)
    assert rules.check(HALL, monitor.now(HALL)) == 1
    (alert,) = monitor.now(HALL).open_alerts
    assert (alert.kind, alert.counter_number, alert.ticket_id) == (HANDLING_OVER, 1, first.id)
    hall.queue.finish(HALL, 1)
    second = hall.queue.call_next(HALL, 1)
    at(clock, 9, 11)
    assert rules.check(HALL, monitor.now(HALL)) == 1  # the first customer left: cleared
    at(clock, 9, 21, 30)
    assert rules.check(HALL, monitor.now(HALL)) == 1  # the second is over: a new alert
    (alert,) = monitor.now(HALL).open_alerts
    assert alert.ticket_id == second.id


def test_a_long_queue_and_the_centre_away(hall: Core, clock, monitor, rules):
    at(clock, 9, 0)
    login(hall, 1)
    for _ in range(16):  # PAY's limit is 15 waiting
        hall.queue.issue_ticket(HALL, "PAY")
    assert rules.check(HALL, monitor.now(HALL)) == 1
    assert _kinds(monitor.now(HALL)) == [(QUEUE_LONG, "service PAY")]
    hall.queue.call_next(HALL, 1)
    assert rules.check(HALL, monitor.now(HALL)) == 1  # 15 waiting: not over
    assert _kinds(monitor.now(HALL)) == []
    since = clock.now() - timedelta(seconds=59)
    assert rules.check(HALL, monitor.now(HALL), station="PC-1", offline_since=since) == 0
    clock.advance(2)
    assert rules.check(HALL, monitor.now(HALL), station="PC-1", offline_since=since) == 1
    assert _kinds(monitor.now(HALL)) == [(CENTRE_OFFLINE, "station PC-1")]
    # another station's check does not clear this station's alert
    assert rules.check(HALL, monitor.now(HALL), station="PC-2") == 0
    assert rules.check(HALL, monitor.now(HALL), station="PC-1") == 1
    assert _kinds(monitor.now(HALL)) == []


def test_the_day_begins_at_midnight_in_the_hall(hall: Core, clock, monitor):
    """Yesterday's tickets and ratings are not today's."""
    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=local(23, 0).tzinfo))
    hall.queue.issue_ticket(HALL, "PAY")
    at(clock, 0, 30)
    assert monitor.now(HALL).service("PAY").waiting == 0
