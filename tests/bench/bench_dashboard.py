"""The manager's dashboard with 5,000 tickets today (issue 10; goal < 50 ms a read).

    .venv/bin/python tests/bench/bench_dashboard.py [--json] [--tickets N] [--no-sqlite]

The bench hall (eight services, 20 counters, all logged in) with N tickets issued today
(default 5,000) through the real service; then, in one transaction, 4/5 of them set done
and 20 at the counters, as a busy afternoon leaves them, and 600 ratings. Timed:
`HallMonitor.now()` (the dashboard's one read) and `ManagerDesk.read()` (the read, the
threshold rules against it, and the centre's station list), 200 times each, after a
warm-up. On PostgreSQL the plans of the read's statements are printed with the indexes
they use.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app.bootstrap import manager_desk  # noqa: E402
from app.models import Ticket  # noqa: E402
from app.services.monitoring.live import HallMonitor  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

HALL = "BENCH"
COUNTERS = 20
ROUNDS = 200

# what the read sends, for EXPLAIN (the hall's ids filled in)
PLANNED = {
    "today's tickets": "SELECT id, service_id, status, queue_at, called_at FROM tickets "
    "WHERE hall_id = :hall AND business_date = :day",
    "recent handling": "SELECT serving_at, called_at, finished_at FROM tickets WHERE "
    "hall_id = :hall AND service_id = :service AND status = 'done' AND finished_at > "
    "now() - interval '7 days' ORDER BY finished_at DESC LIMIT 30",
    "open sessions": "SELECT * FROM counter_sessions WHERE counter_id = ANY(:counters) AND "
    "(ended_at IS NULL OR ended_at > :start)",
    "today's ratings": "SELECT rating FROM evaluations WHERE hall_id = :hall AND "
    "requested_at >= :start AND rating IS NOT NULL",
    "today's alerts": "SELECT * FROM alerts WHERE hall_id = :hall AND (created_at >= :start "
    "OR acknowledged_at IS NULL) ORDER BY created_at DESC LIMIT 500",
}


def _busy_afternoon(core, tickets: int) -> None:  # type: ignore[no-untyped-def]
    services = lib.build_bench_hall(core, HALL, COUNTERS)
    lib.log_in_counters(core, HALL, COUNTERS)
    lib.load_tickets(core, HALL, services, tickets)
    hall = core.halls.get(HALL)
    counters = [x.id for x in hall.counters]
    with core.db.write() as s:
        rows = s.scalars(
            select(Ticket).where(Ticket.hall_id == hall.id).order_by(Ticket.queue_at)
        ).all()
        done = len(rows) * 4 // 5
        for n, t in enumerate(rows[:done]):
            t.status = "done"
            t.called_at = t.serving_at = t.queue_at + timedelta(seconds=240 + n % 300)
            t.finished_at = t.called_at + timedelta(seconds=180 + n % 240)
            t.counter_id = counters[n % len(counters)]
        for n, t in enumerate(rows[done : done + COUNTERS]):
            t.status = "serving"
            t.called_at = t.serving_at = t.queue_at
            t.counter_id = counters[n]
    for n in range(600):
        request = core.evaluations.request_rating(HALL, 1 + n % COUNTERS)
        core.evaluations.record_rating(request.id, n % 3)
    with core.db.engine.connect() as c:  # the statistics a server has after a morning
        c.execute(text("ANALYZE"))
        c.commit()


def _time(op, rounds: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    for _ in range(10):
        op()
    took = []
    start = time.perf_counter()
    for _ in range(rounds):
        _, secs = lib.timed(op)
        took.append(secs)
    return asdict(lib.Latency.of(took, time.perf_counter() - start))


def _plans(core) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    hall = core.halls.get(HALL)
    params = {
        "hall": hall.id,
        "day": HallMonitor(core.db, core.halls).now(HALL).taken_at.date(),
        "service": hall.services[0].id,
        "counters": [x.id for x in hall.counters],
        "start": HallMonitor(core.db, core.halls).now(HALL).taken_at.replace(hour=0),
    }
    out = {}
    with core.db.engine.connect() as c:
        for name, sql in PLANNED.items():
            rows = c.execute(text("EXPLAIN " + sql), params).all()
            out[name] = [r[0] for r in rows]
    return out


def run(url: str, tickets: int) -> dict[str, object]:
    with lib.open_core(url, pool_size=4) as core:
        _busy_afternoon(core, tickets)
        monitor = HallMonitor(core.db, core.halls)
        desk = manager_desk(core)
        desk._hall = HALL  # noqa: SLF001  # the bench hall, not the settings' DEMO
        desk._monitor = monitor  # noqa: SLF001
        result: dict[str, object] = {
            "tickets_today": tickets,
            "hall_now": _time(lambda: monitor.now(HALL), ROUNDS),
            "desk_read": _time(desk.read, ROUNDS),
        }
        if core.db.dialect == "postgresql":
            result["plans"] = _plans(core)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    keyring.set_keyring(NullKeyring())
    result: dict[str, object] = {"machine": lib.machine()}
    with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
        lib.migrate(url)
        result["postgresql"] = run(url, args.tickets)
    if not args.no_sqlite:
        with lib.fresh_sqlite_database() as url:
            lib.migrate(url)
            result["sqlite"] = run(url, args.tickets)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return 0
    for db in ("postgresql", "sqlite"):
        if db not in result:
            continue
        r = result[db]
        assert isinstance(r, dict)
        for key in ("hall_now", "desk_read"):
            lat = r[key]
            print(f"{db:10} {key:9}: p50 {lat['p50_ms']} ms  p99 {lat['p99_ms']} ms  "
                  f"max {lat['max_ms']} ms")  # fmt: skip
        for name, plan in r.get("plans", {}).items():
            used = [line.strip() for line in plan if "Index" in line or "Seq Scan" in line]
            print(f"  {name}: {' | '.join(used)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
