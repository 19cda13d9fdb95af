"""Call next on PostgreSQL, as the server sees it (tests/pg_wire.py reads the wire): four
round trips, BEGIN, the open session's lock, one statement that finishes, picks, calls
and logs both events, COMMIT; the lock alone for a refused call; the statements those
of `QueueService.call_sql`, which the pgbench baseline replays; and the pick's
whole-queue fallback locks nothing while a head of the queue is free.

The demo hall: counter 1 serves PAY (A) then APPLY (B).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.models import TicketEvent
from app.services.clock import ManualClock
from app.services.errors import DomainError
from tests.conftest import make_settings
from tests.pg_wire import WireTap
from tests.unit.services.queue_helpers import HALL, assert_refused, login


def _locks_the_session(statement: str) -> bool:
    return "FROM counter_sessions" in statement and "FOR UPDATE" in statement


@pytest.fixture
def tap(pg_url: str) -> Iterator[WireTap]:
    u = make_url(pg_url)
    proxy = WireTap(u.host or "127.0.0.1", u.port or 5432).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def pg_hall(pg_url: str, tap: WireTap, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    c = build_core(make_settings(tap.url(pg_url)), data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield c
    finally:
        c.close()


def _sent(tap: WireTap, step: object) -> list[list[str]]:
    """The round trips of one call (`step` a no-argument callable), as the server got them."""
    tap.clear()
    step()  # type: ignore[operator]
    trips = tap.trips()
    if trips and trips[0] and trips[0][0].startswith("BEGIN"):  # its isolation level named
        trips[0] = ["BEGIN"]
    return trips


def _wire(statement: str) -> str:
    """A statement of `call_sql` as it reaches the server: psycopg numbers the parameters
    ($1, $2, ... in the order of their first use)."""
    names: dict[str, int] = {}
    return re.sub(r"%\((\w+)\)s", lambda m: f"${names.setdefault(m[1], len(names) + 1)}", statement)


def _into(out: list[object], fn: Any, *args: object) -> None:
    out.append(fn(*args))


def test_call_next_is_four_round_trips_two_inside_its_transaction(
    pg_hall: Core, tap: WireTap, clock: ManualClock
) -> None:
    hall = pg_hall
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(2)]
    login(hall, 1)
    lock, call = (" ".join(_wire(x).split()) for x in hall.queue.call_sql(HALL, 1))
    # nobody at the counter yet; then one to finish; then one to finish and nobody left
    for expected in (issued[0], issued[1], None):
        clock.advance(30)
        called: list[object] = []
        trips = _sent(tap, partial(_into, called, hall.queue.call_next, HALL, 1))
        assert trips == [["BEGIN"], [lock], [call], ["COMMIT"]]
        assert _locks_the_session(lock) and call.startswith("WITH finished AS")
        assert getattr(called[0], "id", None) == (expected.id if expected else None)
    with hall.db.read() as s:
        kinds = s.execute(
            select(TicketEvent.kind, TicketEvent.display_number)
            .where(TicketEvent.kind.in_(("called", "done")))
            .order_by(TicketEvent.id)
        ).all()
    assert [tuple(k) for k in kinds] == [
        ("called", "A001"),
        ("done", "A001"),
        ("called", "A002"),
        ("done", "A002"),
    ]
    assert hall.queries.ticket(issued[1].id).status == "done"  # type: ignore[union-attr]


def test_refused_call_next_sends_only_the_lock(pg_hall: Core, tap: WireTap) -> None:
    hall = pg_hall
    hall.queue.issue_ticket(HALL, "PAY")
    codes: list[str] = []

    def refused() -> None:
        with pytest.raises(DomainError) as caught:
            hall.queue.call_next(HALL, 1)
        codes.append(caught.value.code)

    lock = " ".join(_wire(hall.queue.call_sql(HALL, 1)[0]).split())
    # (after a ROLLBACK psycopg drops the connection's prepared statements, if it has any)
    refusal = [["BEGIN"], [lock], ["ROLLBACK"]]
    assert _sent(tap, refused) in (refusal, [*refusal, ["DEALLOCATE ALL"]])
    assert_refused(hall, "counter_closed", lambda: hall.queue.call_next(HALL, 1))
    login(hall, 1)
    hall.counters.pause(HALL, 1, "training")
    assert _sent(tap, refused) in (refusal, [*refusal, ["DEALLOCATE ALL"]])
    assert codes == ["counter_closed", "counter_paused"]
    assert_refused(hall, "counter_paused", lambda: hall.queue.call_next(HALL, 1))


def test_the_whole_queue_is_read_only_when_no_head_is_free(
    pg_hall: Core, tap: WireTap, pg_url: str
) -> None:
    """While call next's transaction is open (held at its COMMIT on the wire), exactly one
    waiting ticket is locked (the one it called): the whole-queue pick, the second arm
    of its `coalesce`, did not run and lock another."""
    hall = pg_hall
    for _ in range(5):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    lockable: list[int] = []
    direct = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)

    def count_lockable() -> None:  # straight to the server: the tap is held meanwhile
        with psycopg.connect(direct) as other:
            rows = other.execute(
                "SELECT id FROM tickets WHERE status = 'waiting' FOR UPDATE SKIP LOCKED"
            ).fetchall()
            lockable.append(len(rows))
            other.rollback()

    tap.hold(lambda statement: statement == "COMMIT", count_lockable)
    assert hall.queue.call_next(HALL, 1) is not None
    assert lockable == [4]
