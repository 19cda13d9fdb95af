"""Report benchmark (issue 10): a month's report of one hall among many.

    .venv/bin/python tests/bench/bench_report.py [--json] [--halls N] [--days N]
                                                 [--per-day N] [--sqlite]

PostgreSQL: the server of `HALLDESK_BENCH_DATABASE_URL` (its user may create databases),
else a throw-away cluster (tests/pg_server.py). In a migrated database, `--halls` halls
(default 20) of 10 counters each get `--days` days (default 30) of `--per-day` printed
tickets (default 1,000), written in bulk (COPY) as a day of the hall leaves them: 90 %
served, 5 % no-shows, 3 % transferred (with their second leg), 2 % never called; a
rating request for 70 % of the served (2 % dissatisfied, with their alert; 10 % not
rated), a payment for 55 % (2 % voided), a session per counter and day with two pauses.
Then ANALYZE, as a database in service would be.

Timed: `HallStatistics.report` of one hall over the last 30 days of the data (with
`--days 365`, a month's report in a year of history), cold (first call) and warm (median
of 5); of its last day (median of 5: what the dashboard's live figures cost);
and each statement of the month's report under EXPLAIN ANALYZE, with the indexes it used
(or the tables it read whole). Goal: the month under 2 s on PostgreSQL.

`--sqlite` also times the same month of one hall (a hall's embedded database holds only
its own) in a SQLite file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, text  # noqa: E402

from app.models import Counter, CustomerAccount, Hall, Service, Staff  # noqa: E402
from app.models.db import Database  # noqa: E402
from app.services.monitoring.figures import Period  # noqa: E402
from app.services.monitoring.stats import HallStatistics  # noqa: E402
from app.services.simulation.demo_hall import ensure_demo_hall  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

FIRST_DAY = date(2026, 3, 1)
ZONE = ZoneInfo("Asia/Shanghai")
COUNTERS = 10
TABLES = {
    "tickets": "id, hall_id, service_id, business_date, prefix, number, code, dispenser, "
    "status, priority, queue_at, issued_at, called_at, serving_at, finished_at, counter_id, "
    "staff_id, recall_count, origin_id, previous_id, transfers",
    "evaluations": "id, hall_id, counter_id, counter_number, ticket_id, staff_id, service_id, "
    "status, rating, scale, source, requested_at, closed_at",
    "alerts": "id, hall_id, kind, severity, counter_number, ticket_id, evaluation_id, source, "
    "message, created_at, acknowledged_at, acknowledged_by",
    "payments": "id, hall_id, station, counter_number, staff_id, ticket_id, account_id, method, "
    "amount_fen, tendered_fen, change_fen, reference, receipt_number, created_at",
    "payment_voids": "id, payment_id, reason, approved_by, staff_id, created_at",
    "counter_sessions": "id, counter_id, staff_id, started_at, ended_at, paused",
    "counter_pauses": "id, session_id, reason, started_at, ended_at",
}


class Hall_:  # noqa: N801 - what the generator knows of a hall
    def __init__(self, db: Database, code: str) -> None:
        with db.write() as s:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == code))
            self.id = hall_id
            self.services = [
                (sid, prefix)
                for sid, prefix in s.execute(
                    select(Service.id, Service.prefix).where(Service.hall_id == hall_id)
                )
            ]
            self.counters = dict(
                s.execute(
                    select(Counter.number, Counter.id).where(Counter.hall_id == hall_id)
                ).all()
            )
            self.staff = {
                n: s.scalar(select(Staff.id).where(Staff.job_number == str(1000 + n)))
                for n in range(1, COUNTERS + 1)
            }
            self.manager = s.scalar(select(Staff.id).where(Staff.job_number == "8001"))
            self.account = uuid.uuid4()
            s.execute(
                insert(CustomerAccount).values(
                    id=self.account,
                    hall_id=hall_id,
                    account_number=f"{code}-1",
                    name="bench",
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )


def _day_rows(h: Hall_, code: str, day: date, per_day: int, rng: random.Random) -> Iterator[Any]:
    """(table, row) of one hall-day."""
    opening = datetime.combine(day, dtime(8, 30), ZONE).astimezone(UTC)
    numbers = dict.fromkeys(h.services, 0)
    for n in range(1, COUNTERS + 1):
        sid = uuid.uuid4()
        end = opening + timedelta(hours=9)
        yield "counter_sessions", (sid, h.counters[n], h.staff[n], opening, end, False)
        for k in (2, 6):
            p0 = opening + timedelta(hours=k)
            yield "counter_pauses", (uuid.uuid4(), sid, "break", p0, p0 + timedelta(minutes=15))
    for i in range(per_day):
        svc = rng.choice(h.services)
        numbers[svc] += 1
        at = opening + timedelta(seconds=i * 9 * 3600 / per_day + rng.random())
        u = rng.random()
        counter = rng.randint(1, COUNTERS)
        staff = h.staff[counter]
        tid = uuid.uuid4()
        called = at + timedelta(seconds=rng.uniform(0, 2400)) if u >= 0.02 else None
        status = (
            "waiting"
            if u < 0.02
            else "no_show"
            if u < 0.07
            else "transferred"
            if u < 0.1
            else "done"
        )
        serving = (
            called + timedelta(seconds=rng.uniform(10, 40))
            if called and status != "no_show"
            else None
        )
        finished = (serving or called) + timedelta(seconds=rng.uniform(60, 600)) if called else None
        row = [
            tid,
            h.id,
            svc[0],
            day,
            svc[1],
            numbers[svc],
            f"{code}-{day:%Y%m%d}-{svc[1]}{numbers[svc]:03d}",
            "D1",
            status,
            0,
            at,
            at,
            called,
            serving,
            finished,
            h.counters[counter] if called else None,
            staff if called else None,
            0,
            None,
            None,
            0,
        ]
        yield "tickets", tuple(row)
        if status == "transferred":
            other = rng.choice([s for s in h.services if s != svc])
            c2 = finished + timedelta(seconds=rng.uniform(0, 900))  # type: ignore[operator]
            yield (
                "tickets",
                (
                    uuid.uuid4(),
                    h.id,
                    other[0],
                    day,
                    svc[1],
                    numbers[svc],
                    row[6],
                    "D1",
                    "done",
                    0,
                    at,
                    finished,
                    c2,
                    c2 + timedelta(seconds=20),
                    c2 + timedelta(seconds=300),
                    h.counters[counter],
                    staff,
                    0,
                    tid,
                    tid,
                    1,
                ),
            )
        if status != "done":
            continue
        assert finished is not None
        v = rng.random()
        if v < 0.7:
            eid = uuid.uuid4()
            r = rng.random()
            rating = None if r < 0.1 else 3 if r < 0.12 else rng.choice((0, 0, 1, 2))
            ev_status = "not_rated" if rating is None else "rated"
            yield (
                "evaluations",
                (
                    eid,
                    h.id,
                    h.counters[counter],
                    counter,
                    tid,
                    staff,
                    svc[0],
                    ev_status,
                    rating,
                    4,
                    "evaluator",
                    finished,
                    finished + timedelta(seconds=10),
                ),
            )
            if rating == 3:
                acked = finished + timedelta(minutes=5) if rng.random() < 0.9 else None
                yield (
                    "alerts",
                    (
                        uuid.uuid4(),
                        h.id,
                        "dissatisfied",
                        "high",
                        counter,
                        tid,
                        eid,
                        f"counter {counter}",
                        "dissatisfied",
                        finished,
                        acked,
                        h.manager if acked else None,
                    ),
                )
        if v < 0.55:
            pid = uuid.uuid4()
            yield (
                "payments",
                (
                    pid,
                    h.id,
                    f"{code}C{counter:02d}",
                    counter,
                    staff,
                    tid,
                    h.account,
                    "card",
                    rng.randint(1000, 50000),
                    None,
                    None,
                    "",
                    f"{code}-{day:%m%d}-{i:05d}",
                    finished,
                ),
            )
            if rng.random() < 0.02:
                yield "payment_voids", (uuid.uuid4(), pid, "bench", h.manager, staff, finished)


def load(db: Database, halls: int, days: int, per_day: int) -> tuple[str, float]:
    """Write the halls' month; the code of the hall to report on, and the seconds taken."""
    started = time.perf_counter()
    rng = random.Random(0)
    codes = [f"B{i:02d}" for i in range(1, halls + 1)]
    for code in codes:
        ensure_demo_hall(db, code=code, counters=COUNTERS)
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        if db.dialect == "sqlite":  # its connections are in autocommit (`app.models.db`)
            conn.execute("BEGIN")
        for code in codes:
            h = Hall_(db, code)
            rows: dict[str, list[Any]] = {t: [] for t in TABLES}
            for d in range(days):
                for table, row in _day_rows(h, code, FIRST_DAY + timedelta(days=d), per_day, rng):
                    rows[table].append(row)
            _write(conn, db.dialect, rows)
        conn.execute("COMMIT") if db.dialect == "sqlite" else conn.commit()
    finally:
        raw.close()
    with db.engine.connect() as c:
        c.execute(text("ANALYZE"))
        c.commit()
    return codes[len(codes) // 2], time.perf_counter() - started


def _write(conn: Any, dialect: str, rows: dict[str, list[Any]]) -> None:
    cur = conn.cursor()
    for table, cols in TABLES.items():
        if dialect == "postgresql":
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(cols.split(",")))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                [tuple(_sqlite(v) for v in r) for r in rows[table]],
            )


def _sqlite(v: Any) -> Any:
    if isinstance(v, uuid.UUID):
        return v.hex
    if isinstance(v, datetime):
        return v.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


# what a plan reads: the indexes it uses, the tables it reads whole
SCANS = {
    "postgresql": r"(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)"
    r" (?:using \w+ )?on \w+",
    "sqlite": r"(?:SCAN|SEARCH) \w+(?: USING (?:COVERING )?INDEX \w+)?",
}


def explain(db: Database, code: str, period: Period) -> list[dict[str, Any]]:
    """Each statement of one report under EXPLAIN ANALYZE: its time and the scans."""
    seen: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "EXPLAIN")):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        HallStatistics(db).report(code, period)
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    out = []
    raw = db.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        for statement, params in seen:
            if db.dialect == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                plan = "\n".join(r[0] for r in cur.fetchall())
                found = re.search(r"Execution Time: ([\d.]+) ms", plan)
                ms = float(found.group(1)) if found else 0.0
            else:
                cur.execute("EXPLAIN QUERY PLAN " + statement, params)
                plan, ms = "\n".join(str(r[-1]) for r in cur.fetchall()), 0.0
            scans = sorted(set(re.findall(SCANS[db.dialect], plan)))
            out.append({"sql": " ".join(statement.split())[:70], "ms": ms, "scans": scans})
    finally:
        raw.close()
    return out


def time_report(db: Database, code: str, period: Period) -> dict[str, Any]:
    stats = HallStatistics(db)
    t0 = time.perf_counter()
    report = stats.report(code, period)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        stats.report(code, period)
        warm.append(time.perf_counter() - t0)
    one_day = Period(period.last, period.last)  # what a live dashboard asks for
    day = []
    for _ in range(5):
        t0 = time.perf_counter()
        stats.report(code, one_day)
        day.append(time.perf_counter() - t0)
    return {
        "one_day_median_s": round(statistics.median(day), 3),
        "cold_s": round(cold, 3),
        "warm_median_s": round(statistics.median(warm), 3),
        "tickets_issued": report.totals.issued,
        "clerk_rows": len(report.clerks),
        "statements": explain(db, code, period),
    }


MONTH_DAYS = 30


def run_on(url: str, halls: int, days: int, per_day: int) -> dict[str, Any]:
    lib.migrate(url)
    db = Database.from_url(url, use_keyring=False)
    try:
        code, load_s = load(db, halls, days, per_day)
        # the report of the last month (30 days) of the data, however long its history
        last = FIRST_DAY + timedelta(days=days - 1)
        period = Period(max(FIRST_DAY, last - timedelta(days=MONTH_DAYS - 1)), last)
        return {
            "halls": halls,
            "days": days,
            "per_day": per_day,
            "load_s": round(load_s, 1),
        } | time_report(db, code, period)
    finally:
        db.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--halls", type=int, default=20)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--per-day", type=int, default=1000)
    ap.add_argument("--sqlite", action="store_true")
    args = ap.parse_args()
    result: dict[str, Any] = {"machine": lib.machine()}
    with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
        result["postgresql"] = run_on(url, args.halls, args.days, args.per_day)
    if args.sqlite:
        with lib.fresh_sqlite_database() as url:
            result["sqlite"] = run_on(url, 1, args.days, args.per_day)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name in ("postgresql", "sqlite"):
        r = result.get(name)
        if not r:
            continue
        print(
            f"{name}: {r['halls']} halls x {r['days']} days x {r['per_day']} tickets; report of "
            f"one hall's month ({r['tickets_issued']} tickets): cold {r['cold_s']} s, warm "
            f"{r['warm_median_s']} s; one day {r['one_day_median_s']} s (load {r['load_s']} s)"
        )
        for st in r["statements"]:
            print(f"  {st['ms']:8.1f} ms  {st['sql']}\n             {'; '.join(st['scans'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
