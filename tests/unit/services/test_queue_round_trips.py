"""Call next on PostgreSQL: two statements inside its transaction (the open session's lock,
then finish + pick + call + events in one), whatever the counter's state; and the pick's
whole-queue fallback locks nothing while a head of the queue is free.

The demo hall: counter 1 serves PAY (A) then APPLY (B).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from app.bootstrap import Core, build_core
from app.models import TicketEvent
from app.services.clock import ManualClock
from app.services.errors import DomainError
from tests.conftest import make_settings
from tests.unit.services.queue_helpers import HALL, assert_refused, login

MAX_STATEMENTS = 2  # besides BEGIN and COMMIT


def _locks_the_session(statement: str) -> bool:
    return "FROM counter_sessions" in statement and "FOR UPDATE" in statement


@pytest.fixture
def pg_hall(pg_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    c = build_core(make_settings(pg_url), data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield c
    finally:
        c.close()


def _in_transaction(core: Core, step: Callable[[], object]) -> tuple[object, list[str]]:
    """What `step` returns, and the statements it sends between its BEGIN and its COMMIT
    (the engine's `begin` and `commit` events bracket the transaction; statements outside,
    such as a first read of the hall, are not counted)."""
    sent: list[str] = []
    inside = [False]

    def on_begin(_conn: Any) -> None:
        inside[0] = True

    def on_end(_conn: Any) -> None:
        inside[0] = False

    def on_statement(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        if inside[0] and statement.strip().upper() not in ("BEGIN", "COMMIT"):
            sent.append(" ".join(statement.split()))

    engine = core.db.engine
    listeners: list[tuple[str, Callable[..., None]]] = [
        ("begin", on_begin),
        ("commit", on_end),
        ("rollback", on_end),
        ("before_cursor_execute", on_statement),
    ]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        result = step()
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return result, sent


def test_call_next_sends_two_statements_in_its_transaction(
    pg_hall: Core, clock: ManualClock
) -> None:
    hall = pg_hall
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(2)]
    login(hall, 1)
    # nobody at the counter yet; then one to finish; then one to finish and nobody left
    for expected in (issued[0], issued[1], None):
        clock.advance(30)
        called, sent = _in_transaction(hall, lambda: hall.queue.call_next(HALL, 1))
        assert len(sent) <= MAX_STATEMENTS, sent
        assert _locks_the_session(sent[0])
        assert sent[1].startswith("WITH finished AS")
        assert getattr(called, "id", None) == (expected.id if expected else None)
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


def test_refused_call_next_sends_only_the_lock(pg_hall: Core) -> None:
    hall = pg_hall
    hall.queue.issue_ticket(HALL, "PAY")

    def refused() -> str:
        with pytest.raises(DomainError) as caught:
            hall.queue.call_next(HALL, 1)
        return caught.value.code

    code, sent = _in_transaction(hall, refused)
    assert code == "counter_closed" and len(sent) == 1 and _locks_the_session(sent[0])
    assert_refused(hall, "counter_closed", lambda: hall.queue.call_next(HALL, 1))
    login(hall, 1)
    hall.counters.pause(HALL, 1, "training")
    code, sent = _in_transaction(hall, refused)
    assert code == "counter_paused" and len(sent) == 1 and _locks_the_session(sent[0])
    assert_refused(hall, "counter_paused", lambda: hall.queue.call_next(HALL, 1))


def test_the_whole_queue_is_read_only_when_no_head_is_free(pg_hall: Core) -> None:
    """While call next's transaction is open, exactly one waiting ticket is locked (the
    one it called): the whole-queue pick, the second arm of its `coalesce`, did not run
    and lock another."""
    hall = pg_hall
    for _ in range(5):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    lockable: list[int] = []

    def count_lockable(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("WITH finished AS"):
            with hall.db.engine.connect() as other:
                lockable.append(
                    len(
                        other.execute(
                            text(
                                "SELECT id FROM tickets WHERE status = 'waiting' "
                                "FOR UPDATE SKIP LOCKED"
                            )
                        ).all()
                    )
                )
                other.rollback()

    event.listen(hall.db.engine, "after_cursor_execute", count_lockable)
    try:
        assert hall.queue.call_next(HALL, 1) is not None
    finally:
        event.remove(hall.db.engine, "after_cursor_execute", count_lockable)
    assert lockable == [4]
