"""Evaluations: request, first rating counts, timeout, dissatisfied → alert (both DBs)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.bootstrap import Core
from app.models import Alert, Evaluation
from app.services.errors import DatabaseUnavailable, DomainError

HALL = "DEMO"


def _serve_one(core: Core, counter: int = 1) -> None:
    staff = core.auth.login(f"100{counter}", "1234")
    core.counters.open_session(HALL, counter, staff)
    core.queue.issue_ticket(HALL, "PAY")
    core.queue.call_next(HALL, counter)


def test_request_links_ticket_clerk_and_announces(core: Core) -> None:
    _serve_one(core)
    before = core.queries.last_event_id(HALL)
    ev = core.evaluations.request_rating(HALL, 1)
    assert ev.status == "requested"
    assert ev.display_number == "A001"
    assert ev.staff_job_number == "1001"
    events = core.queries.events_after(HALL, before)
    assert [e.kind for e in events] == ["rating_requested"]
    assert events[0].counter_number == 1
    # asking again while one is open returns the same request
    assert core.evaluations.request_rating(HALL, 1).id == ev.id


def test_first_rating_counts_and_second_changes_nothing(core: Core) -> None:
    _serve_one(core)
    ev = core.evaluations.request_rating(HALL, 1)
    rated = core.evaluations.record_rating(ev.id, 1)
    assert rated.status == "rated" and rated.rating == 1 and rated.alert_id is None
    with pytest.raises(DomainError) as err:
        core.evaluations.record_rating(ev.id, 3)
    assert err.value.code == "rating_closed"
    again = core.evaluations.get(ev.id)
    assert again is not None and again.rating == 1
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 0


def test_dissatisfied_raises_alert(core: Core) -> None:
    _serve_one(core)
    ev = core.evaluations.request_rating(HALL, 1)
    rated = core.evaluations.record_rating(ev.id, 3)
    assert rated.alert_id is not None
    alerts = core.evaluations.alerts(HALL)
    assert len(alerts) == 1
    assert alerts[0].kind == "dissatisfied" and alerts[0].counter_number == 1
    assert "A001" in alerts[0].message
    clerk = core.auth.login("1001", "1234")
    with pytest.raises(DomainError) as refused:  # a clerk may not close a manager's alert
        core.evaluations.acknowledge(alerts[0].id, clerk)
    assert refused.value.code == "not_allowed"
    core.evaluations.acknowledge(alerts[0].id, core.auth.login("8001", "1234"), "called back")
    assert core.evaluations.alerts(HALL) == []


def test_invalid_rating_for_scale_is_refused(core: Core) -> None:
    _serve_one(core)
    ev = core.evaluations.request_rating(HALL, 1, scale=4)
    with pytest.raises(DomainError) as err:
        core.evaluations.record_rating(ev.id, 4)  # very dissatisfied exists only on 5 keys
    assert err.value.code == "bad_input"
    assert core.evaluations.get(ev.id).status == "requested"  # type: ignore[union-attr]


def test_timeout_records_not_rated_and_late_rating_refused(core: Core) -> None:
    _serve_one(core)
    ev = core.evaluations.request_rating(HALL, 1)
    expired = core.evaluations.expire(ev.id)
    assert expired is not None and expired.status == "not_rated"
    assert core.evaluations.expire(ev.id) is None
    with pytest.raises(DomainError):
        core.evaluations.record_rating(ev.id, 0)
    with core.db.read() as s:
        row = s.get(Evaluation, ev.id)
        assert row is not None and row.rating is None and row.status == "not_rated"


def test_a_finished_customer_is_not_asked_to_rate(core: Core) -> None:
    """As the counter desk's rules say: once finished, the customer has left the counter
    (a new user saw F11 rate the previous customer with nobody at the counter)."""
    _serve_one(core)
    core.queue.finish(HALL, 1)
    with pytest.raises(DomainError) as err:
        core.evaluations.request_rating(HALL, 1)
    assert err.value.code == "no_current_ticket"
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_no_customer_to_rate(core: Core) -> None:
    staff = core.auth.login("1002", "1234")
    core.counters.open_session(HALL, 2, staff)
    with pytest.raises(DomainError) as err:
        core.evaluations.request_rating(HALL, 2)
    assert err.value.code == "no_current_ticket"
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Evaluation)) == 0


def _sqlite_file(core: Core) -> str:
    database = core.db.engine.url.database
    assert database
    return database


def test_reads_do_not_wait_for_the_write_lock(sqlite_core: Core) -> None:
    """pending, get and alerts are read-only units: another writer holding SQLite's write
    lock (the counter window refreshes alerts all the time) does not hold them up."""
    core = sqlite_core
    _serve_one(core)
    core.evaluations.record_rating(core.evaluations.request_rating(HALL, 1).id, 3)
    ev = core.evaluations.request_rating(HALL, 1)  # the first was rated; a new one is open
    other = sqlite3.connect(_sqlite_file(core), timeout=0.1, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock, held by someone else
        started = time.monotonic()
        pending = core.evaluations.pending(HALL, 1)
        got = core.evaluations.get(ev.id)
        alerts = core.evaluations.alerts(HALL)
        elapsed = time.monotonic() - started
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert elapsed < 1.0, f"reads waited {elapsed:.1f} s for the write lock"
    assert pending is not None and pending.id == ev.id
    assert got is not None and got.status == "requested"
    assert [a.kind for a in alerts] == ["dissatisfied"]


def test_reads_map_a_lost_database_to_database_unavailable(
    sqlite_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = sqlite_core
    _serve_one(core)
    ev = core.evaluations.request_rating(HALL, 1)

    @contextmanager
    def unreachable() -> Iterator[None]:
        raise OperationalError("SELECT", {}, Exception("unable to open database file"))
        yield  # pragma: no cover

    monkeypatch.setattr(core.db, "read", unreachable)
    for read in (
        lambda: core.evaluations.pending(HALL, 1),
        lambda: core.evaluations.get(ev.id),
        lambda: core.evaluations.alerts(HALL),
    ):
        with pytest.raises(DatabaseUnavailable):
            read()
