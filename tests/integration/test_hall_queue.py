"""Issue 9: with the centre down, four counters keep calling and a dispenser keeps issuing
on the hall database; no ticket is called twice, no number is given twice, and everything
is at the centre once it is back.

Real processes (tests/integration/hall_counter.py) on a real PostgreSQL hall database; the
hall server's sync worker reaches the central database through a fault proxy, cut for the
whole day and healed at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.models.db import Database
from app.services.sync.push import outbox_depth
from app.settings import SyncSettings
from app.station_cache import open_hall
from tests.conftest import make_settings
from tests.fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
TICKETS = 90
COUNTERS = (1, 2, 3, 4)
MIRROR = "SELECT id, prefix, number, status, counter_id, called_at, finished_at FROM tickets"


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as c:
        return sorted((tuple(r) for r in c.execute(text(sql))), key=repr)


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.hall_counter", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_four_counters_and_a_dispenser_go_on_without_the_centre(
    pg_url: str, empty_pg_url: str, tmp_path: Path
):
    url = make_url(pg_url)
    proxy = FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    linked = Database.from_url(
        url.set(port=proxy.port).render_as_string(hide_password=False), use_keyring=False
    )
    settings = replace(
        make_settings(pg_url),
        sync=SyncSettings(mode="cached", interval_s=0.2, hall_url=empty_pg_url, hall_server=True),
    )
    hall = open_hall(settings, linked, central_ok=True)  # the hall server's first start
    assert hall is not None and hall.worker is not None
    central = Database.from_url(pg_url, use_keyring=False)
    try:
        proxy.cut()  # the centre is away for the whole day
        done = tmp_path / "dispenser.done"
        counters = [_spawn(empty_pg_url, f"counter:{n}", str(done)) for n in COUNTERS]
        dispenser = _spawn(empty_pg_url, "dispenser", str(TICKETS), str(done))
        out, _ = dispenser.communicate(timeout=180)
        assert dispenser.returncode == 0 and json.loads(out)["issued"] == TICKETS
        called: list[str] = []
        for proc in counters:
            out, _ = proc.communicate(timeout=180)
            assert proc.returncode == 0
            called += json.loads(out)["called"]
        # no ticket called twice, none left, every counter worked
        assert len(called) == len(set(called)) == TICKETS
        tickets = _rows(hall.db, MIRROR)
        assert {str(t[0]) for t in tickets} == set(called)
        assert {t[3] for t in tickets} == {"done"}
        numbers = Counter((t[1], t[2]) for t in tickets)
        assert max(numbers.values()) == 1  # no number twice
        assert len({t[4] for t in tickets}) == len(COUNTERS)
        # nothing reached the centre; all of it waits in the hall's outbox
        assert _rows(central, "SELECT count(*) FROM tickets") == [(0,)]
        assert outbox_depth(hall.db) > 0
        assert not hall.worker.status().online
        proxy.heal()
        deadline = time.monotonic() + 90
        while outbox_depth(hall.db) and time.monotonic() < deadline:
            hall.worker.wake()
            time.sleep(0.1)
        assert outbox_depth(hall.db) == 0
        assert _rows(central, MIRROR) == tickets
        events = "SELECT kind, ticket_id, counter_number, at FROM ticket_events"
        assert _rows(central, events) == _rows(hall.db, events)
        calls = Counter(r[1] for r in _rows(central, events) if r[0] == "called")
        assert len(calls) == TICKETS and set(calls.values()) == {1}
    finally:
        hall.stop()
        proxy.stop()
        linked.dispose()
        central.dispose()
