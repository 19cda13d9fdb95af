"""The hall database (issue 9): the hall's queue on a PostgreSQL of its own, which goes on
while the centre is away and mirrors its rows to the centre once, in their last version.

Real PostgreSQL: the centre is one database of the test server, the hall database another
(empty before the hall server's first start), the link between them a fault proxy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.models import Staff
from app.models.db import Database
from app.services.sync.hall import refresh_reference
from app.services.sync.push import outbox_depth, push
from app.settings import SyncSettings, load_settings, save_settings
from tests.conftest import make_settings
from tests.fault_proxy import FaultProxy

HALL = "DEMO"
QUEUE_COLUMNS = (
    "id, prefix, number, status, counter_id, staff_id, called_at, finished_at, previous_id"
)


def _until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@dataclass
class Hall:
    core: Core
    central: Database
    hall_db: Database
    proxy: FaultProxy

    def login(self, counter: int) -> None:
        staff = self.core.auth.login(f"{1000 + counter}", "1234")
        self.core.counters.open_session(HALL, counter, staff)

    def synced(self) -> bool:
        hall = self.core.cached.hall if self.core.cached else None
        assert hall is not None and hall.worker is not None
        hall.worker.wake()
        return outbox_depth(self.hall_db) == 0


def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as c:
        return sorted((tuple(r) for r in c.execute(text(sql))), key=repr)


@pytest.fixture
def hall(pg_url: str, empty_pg_url: str, tmp_path: Path) -> Iterator[Hall]:
    """A hall server (cached station with `hall_server`) whose link to the centre runs
    through a proxy the test can cut."""
    url = make_url(pg_url)
    proxy = FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    linked = url.set(port=proxy.port).render_as_string(hide_password=False)
    settings = replace(
        make_settings(linked),
        sync=SyncSettings(mode="cached", interval_s=0.2, hall_url=empty_pg_url, hall_server=True),
    )
    path = tmp_path / "halldesk.toml"
    save_settings(settings, path)  # through the file, as a field engineer writes it
    core = build_core(load_settings(path), data_dir=tmp_path)
    central = Database.from_url(pg_url, use_keyring=False)
    hall_db = Database.from_url(empty_pg_url, use_keyring=False)
    try:
        yield Hall(core, central, hall_db, proxy)
    finally:
        core.close()
        proxy.stop()
        central.dispose()
        hall_db.dispose()


def test_the_queue_runs_on_the_hall_database_and_reaches_the_centre(hall: Hall):
    core = hall.core
    for service in ("PAY", "PAY", "APPLY"):
        core.queue.issue_ticket(HALL, service)
    _until(hall.synced)  # the centre has them waiting; their later versions must follow
    hall.login(1)
    first = core.queue.call_next(HALL, 1)
    assert first is not None and first.display_number == "A001"
    core.queue.finish(HALL, 1)
    second = core.queue.call_next(HALL, 1)
    assert second is not None and second.display_number == "A002"
    # the queue is in the hall database
    assert len(rows(hall.hall_db, "SELECT id FROM tickets")) == 3
    _until(hall.synced)
    # the centre has every queue row once, in its latest version
    tickets = f"SELECT {QUEUE_COLUMNS} FROM tickets"
    assert rows(hall.central, tickets) == rows(hall.hall_db, tickets)
    statuses = sorted(r[0] for r in rows(hall.central, "SELECT status FROM tickets"))
    assert statuses == ["called", "done", "waiting"]
    sessions = "SELECT id, counter_id, staff_id, ended_at, paused FROM counter_sessions"
    assert rows(hall.central, sessions) == rows(hall.hall_db, sessions)
    series = "SELECT service_id, business_date, dispenser, last_number FROM ticket_series"
    assert rows(hall.central, series) == rows(hall.hall_db, series)
    # each event once, under a centre id, with the hall's id kept
    events = "SELECT kind, display_number, ticket_id, at FROM ticket_events"
    assert rows(hall.central, events) == rows(hall.hall_db, events)
    origins = rows(hall.central, "SELECT origin_id FROM ticket_events")
    assert sorted(r[0] for r in origins) == sorted(
        r[0] for r in rows(hall.hall_db, "SELECT id FROM ticket_events")
    )


def test_with_the_centre_away_the_hall_goes_on_and_everything_arrives_once(hall: Hall):
    core = hall.core
    hall.login(1)
    hall.login(2)
    _until(hall.synced)
    hall.proxy.cut()
    for n in range(6):
        core.queue.issue_ticket(HALL, "PAY" if n % 2 else "APPLY")
    called = []
    for counter in (1, 2, 1, 2):
        ticket = core.queue.call_next(HALL, counter)
        assert ticket is not None
        called.append(ticket.display_number)
        core.queue.finish(HALL, counter)
    assert len(set(called)) == 4  # no ticket called twice
    status = core.cached.hall.worker.status() if core.cached and core.cached.hall else None
    assert status is not None
    _until(lambda: outbox_depth(hall.hall_db) > 0)
    with hall.central.engine.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM tickets")) == 0  # nothing got through
    hall.proxy.heal()
    _until(hall.synced, 60)
    tickets = f"SELECT {QUEUE_COLUMNS} FROM tickets"
    assert rows(hall.central, tickets) == rows(hall.hall_db, tickets)
    assert len(rows(hall.central, tickets)) == 6
    n_events = len(rows(hall.hall_db, "SELECT id FROM ticket_events"))
    assert len(rows(hall.central, "SELECT id FROM ticket_events")) == n_events


def test_a_push_repeated_after_a_lost_reply_changes_nothing(hall: Hall):
    """The centre committed but the reply was lost: the same records are sent again."""
    core = hall.core
    _until(hall.synced)
    hall.core.cached.hall.worker.stop()  # type: ignore[union-attr]  # this test pushes
    core.queue.issue_ticket(HALL, "PAY")
    hall.login(3)
    core.queue.call_next(HALL, 3)
    with hall.hall_db.engine.connect() as c:
        kept = [dict(r._mapping) for r in c.execute(text("SELECT * FROM outbox ORDER BY id"))]
    assert kept
    push(hall.hall_db, hall.central)
    before = {
        t: rows(hall.central, f"SELECT * FROM {t}")
        for t in ("tickets", "ticket_events", "ticket_series", "counter_sessions")
    }
    with hall.hall_db.engine.begin() as c:  # as if the outbox had not been trimmed
        c.execute(
            text(
                "INSERT INTO outbox (id, table_name, row_id, payload, created_at) "
                "VALUES (:id, :table_name, :row_id, :payload, :created_at)"
            ),
            kept,
        )
    result = push(hall.hall_db, hall.central)
    assert result.sent == len(kept) and result.left == 0
    after = {t: rows(hall.central, f"SELECT * FROM {t}") for t in before}
    assert after == before


def test_the_reference_rows_come_from_the_centre_and_only_changes_are_written(hall: Hall):
    hall.core.cached.hall.worker.stop()  # type: ignore[union-attr]  # this test refreshes
    assert refresh_reference(hall.central, hall.hall_db, HALL) == 0  # the start copied all
    with hall.central.write() as s:
        s.execute(update(Staff).where(Staff.job_number == "1002").values(name="李娜娜"))
    assert refresh_reference(hall.central, hall.hall_db, HALL) == 1
    names = rows(hall.hall_db, "SELECT name FROM staff WHERE job_number = '1002'")
    assert names == [("李娜娜",)]
    # the hall database keeps no change log: nobody pulls from it
    assert rows(hall.hall_db, "SELECT count(*) FROM change_log") == [(0,)]
