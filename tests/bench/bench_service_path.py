"""Benchmark: the service path of one queue step, on a SQLite file and on PostgreSQL.

Each step is one public service call (one unit of work, committed), timed from the call
to its return, at one counter of a hall with `--waiting` tickets waiting (default 5,000),
`--history` tickets served on the days before (default 30,000) and 20 counters logged in.
Beside the wall time, the CPU time of the calling thread: the host's own work (Python, the
driver and, on SQLite, the database engine), without the wait for the disk or the server.
Beside the steps, the bare-SQL floor of a commit on the same database (BEGIN [IMMEDIATE] /
one INSERT / COMMIT through the driver, no SQLAlchemy). Then `--counters` threads of this
one process call next at once, one per counter, back to back and then each after a random
pause of 0..2 × `--pause-ms` (the threads share one GIL: a hall's counters are separate
PCs, so back to back is a worst case for the host, not the database).

    python tests/bench/bench_service_path.py [--rounds 300] [--waiting 5000] [--only sqlite]
        [--history 30000] [--pause-ms 100] [--profile sqlite|postgres] [--json]

PostgreSQL: `HALLDESK_BENCH_DATABASE_URL` if set, else a throw-away cluster.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import re
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.bootstrap import Core  # noqa: E402
from app.models import Service, Ticket  # noqa: E402
from app.services.hall_ref import business_date  # noqa: E402
from tests.bench.benchlib import (  # noqa: E402
    build_bench_hall,
    fresh_postgres_database,
    fresh_sqlite_database,
    log_in_counters,
    migrate,
    open_core,
    percentile,
    postgres_admin_url,
)

HALL = "BENCH"
STEPS = ("issue_ticket", "call_next", "call_next_busy", "finish", "counter_state", "snapshot")


def load_tickets(core: Core, total: int, history: int) -> None:
    """`total` waiting tickets round the hall's services, a few elderly and VIP (numbers
    1..n per letter; the timed issues use the range 900..999), and `history` tickets served
    on the days before, 1,000 a day, as a hall that has run for a while has."""
    hall = core.halls.get(HALL)
    now = core.clock.now()
    today = business_date(hall, now)
    rng = random.Random(0)
    with core.db.write() as s:
        services = s.scalars(
            select(Service).where(Service.hall_id == hall.id).order_by(Service.sort_order)
        ).all()
        rows = []

        def ticket(day_back: int, i: int, at: datetime) -> dict[str, Any]:
            svc = services[i % len(services)]
            number = i // len(services) + 1
            day = today - timedelta(days=day_back)
            u = rng.random()
            return {
                "id": uuid.uuid4(),
                "hall_id": hall.id,
                "service_id": svc.id,
                "business_date": day,
                "prefix": svc.prefix,
                "number": number,
                "code": f"{HALL}-{day:%Y%m%d}-{svc.prefix}{number:03d}",
                "dispenser": "LOAD",
                "status": "waiting",
                "priority": 2 if u < 0.02 else 1 if u < 0.07 else 0,
                "queue_at": at,
                "issued_at": at,
                "recall_count": 0,
                "transfers": 0,
            }

        for i in range(total):
            rows.append(ticket(0, i, now - timedelta(seconds=total - i)))
        for k in range(history):
            at = now - timedelta(days=1 + k // 1000, seconds=k % 1000 * 30)
            row = ticket(1 + k // 1000, k % 1000, at)
            row.update(
                status="done",
                counter_id=hall.counters[k % len(hall.counters)].id,
                called_at=at + timedelta(minutes=5),
                serving_at=at + timedelta(minutes=6),
                finished_at=at + timedelta(minutes=11),
            )
            rows.append(row)
        for start in range(0, len(rows), 5000):
            s.execute(insert(Ticket), rows[start : start + 5000])
    # PostgreSQL's autovacuum would analyze the new rows soon; HallDesk never runs ANALYZE
    # on SQLite, so SQLite plans without statistics, as in a hall.
    if core.db.dialect == "postgresql":
        with core.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))


def _ms(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 2),
        "p99": round(percentile(ms, 99), 2),
    }


def timed_rounds(
    core: Core, rounds: int, services: list[str]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Counter 1, one round: issue, call next (idle), the counter's state, the hall's
    snapshot (what the display reads after each change), call next (finishing the current
    customer), finish. Each step's wall time, and the CPU time of this thread in it (the
    host's own work: Python, the driver and, on SQLite, the database engine; not the wait
    for the disk or the server). Issues use numbers 900-999: at most ~700 rounds a day."""
    q, queries = core.queue, core.queries
    took: dict[str, list[float]] = {k: [] for k in STEPS}
    cpu: dict[str, list[float]] = {k: [] for k in STEPS}
    ops: list[tuple[str, Callable[[], object]]] = [
        ("call_next", lambda: q.call_next(HALL, 1)),
        ("counter_state", lambda: queries.counter_state(HALL, 1)),
        ("snapshot", lambda: queries.snapshot(HALL)),
        ("call_next_busy", lambda: q.call_next(HALL, 1)),
        ("finish", lambda: q.finish(HALL, 1)),
    ]
    for i in range(rounds):
        svc = services[i % len(services)]
        c0, t0 = time.thread_time(), time.perf_counter()
        q.issue_ticket(HALL, svc, dispenser="BENCH", number_range=(900, 999))
        took["issue_ticket"].append(time.perf_counter() - t0)
        cpu["issue_ticket"].append(time.thread_time() - c0)
        for name, op in ops:
            c0, t0 = time.thread_time(), time.perf_counter()
            op()
            took[name].append(time.perf_counter() - t0)
            cpu[name].append(time.thread_time() - c0)
    return took, cpu


def concurrent_calls(
    core: Core, counters: int, per_counter: int, pause_s: float = 0.0
) -> list[float]:
    """`counters` threads, one per counter, each calling next `per_counter` times: back to
    back, or after a random pause of 0..2 × `pause_s` before each call."""
    took: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(counters)

    def work(n: int) -> None:
        mine = []
        rng = random.Random(n)
        gate.wait()
        for _ in range(per_counter):
            if pause_s:
                time.sleep(rng.uniform(0, 2 * pause_s))
            t0 = time.perf_counter()
            core.queue.call_next(HALL, n)
            mine.append(time.perf_counter() - t0)
        with lock:
            took.extend(mine)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, counters + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return took


def bare_commit(core: Core, rounds: int) -> list[float]:
    """BEGIN [IMMEDIATE]; one INSERT; COMMIT through the bare driver on the same database."""
    took: list[float] = []
    url = core.db.engine.url
    if core.db.dialect == "sqlite":
        con = sqlite3.connect(str(url.database), isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, v TEXT)")
        for i in range(rounds):
            t0 = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO bench_bare (v) VALUES (?)", (str(i),))
            con.execute("COMMIT")
            took.append(time.perf_counter() - t0)
        con.close()
        return took
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("CREATE TABLE IF NOT EXISTS bench_bare (id serial PRIMARY KEY, v text)")
        for i in range(rounds):
            t0 = time.perf_counter()
            con.execute("BEGIN")
            con.execute("INSERT INTO bench_bare (v) VALUES (%s)", (str(i),))
            con.execute("COMMIT")
            took.append(time.perf_counter() - t0)
    return took


@contextmanager
def statements(core: Core) -> Iterator[list[str]]:
    seen: list[str] = []

    def grab(*args: Any) -> None:
        seen.append(args[2])

    event.listen(core.db.engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(core.db.engine, "before_cursor_execute", grab)


def pick_plan(core: Core) -> str:
    """EXPLAIN of the pick-next SELECT as `call_next` sends it, with 5,000 waiting."""
    captured: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, stmt: str, params: Any, *_rest: Any) -> None:
        if "ORDER BY" in stmt and "waiting" in str(params) + stmt:
            captured.append((stmt, params))

    event.listen(core.db.engine, "before_cursor_execute", grab)
    try:
        core.queue.call_next(HALL, 2)
    finally:
        event.remove(core.db.engine, "before_cursor_execute", grab)
    if not captured:
        return "(pick statement not captured)"
    stmt, params = captured[0]
    raw = core.db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if core.db.dialect == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + stmt, params)
            lines = [str(r[-1]) for r in cur.fetchall()]
        else:
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + stmt, params)
            lines = [_node(x) for (x,) in cur.fetchall() if _is_node(x)]
    finally:
        raw.rollback()
        raw.close()
    return _collapse(lines)


_ACTUAL = re.compile(r"\s*\(actual time=[\d.]+\.\.([\d.]+) (rows=\d+) loops=\d+\)")


def _is_node(line: str) -> bool:
    return "->" in line or "Execution Time" in line or not line.startswith(" ")


def _node(line: str) -> str:
    return _ACTUAL.sub(r" \2 \1ms", line).replace("->", "").strip()


def _collapse(lines: list[str]) -> str:
    """The plan's nodes on one line; a node repeated (once per service) shown once, counted."""
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for line in lines:
        key = re.sub(r"[\d.]+ms|rows=\d+", "", re.sub(r"\b(anon|w)_\d+\b", r"\1", line))
        first.setdefault(key, line)
        counts[key] = counts.get(key, 0) + 1
    return " | ".join(f"{first[k]} (x{n})" if n > 1 else first[k] for k, n in counts.items())


def run_backend(url: str, args: argparse.Namespace, name: str) -> dict[str, Any]:
    migrate(url)
    with open_core(url, pool_size=args.counters) as core:
        services = build_bench_hall(core, HALL, args.counters)
        log_in_counters(core, HALL, args.counters)
        load_tickets(core, args.waiting, args.history)
        timed_rounds(core, 20, services)  # warm the caches, the pool and the statements
        with statements(core) as seen:
            timed_rounds(core, 1, services)
        per_round = len(seen)
        profiler = cProfile.Profile() if args.profile == name else None
        if profiler:
            profiler.enable()
        took, cpu = timed_rounds(core, args.rounds, services)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        bare = bare_commit(core, args.rounds)
        plan = pick_plan(core)
        concurrent_calls(core, args.counters, 2)  # a pooled connection for each thread
        together = concurrent_calls(core, args.counters, args.per_counter)
        paced = concurrent_calls(core, args.counters, args.per_counter, args.pause_ms / 1000)
    return {
        "steps": {k: {**_ms(v), "cpu_p50": _ms(cpu[k])["p50"]} for k, v in took.items()},
        "bare_commit": _ms(bare),
        "concurrent_call_next": _ms(together),
        "paced_call_next": _ms(paced),
        "statements_per_round": per_round,
        "pick_plan": plan,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--waiting", type=int, default=5000)
    ap.add_argument("--history", type=int, default=30000)
    ap.add_argument("--counters", type=int, default=20)
    ap.add_argument("--per-counter", type=int, default=25)
    ap.add_argument("--pause-ms", type=float, default=100.0)
    ap.add_argument("--only", choices=("sqlite", "postgres"))
    ap.add_argument("--profile", choices=("sqlite", "postgres"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results: dict[str, dict[str, Any]] = {}
    if args.only in (None, "sqlite"):
        with fresh_sqlite_database() as url:
            results["sqlite"] = run_backend(url, args, "sqlite")
    if args.only in (None, "postgres"):
        with postgres_admin_url() as admin, fresh_postgres_database(admin) as url:
            results["postgres"] = run_backend(url, args, "postgres")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    names = list(results)
    print(
        f"\n{args.waiting} waiting, {args.history} served before, {args.counters} counters "
        f"open, {args.rounds} rounds"
    )
    heads = "".join(f"{n + ' p50':>14}{n + ' p99':>14}{'cpu p50':>9}" for n in names)
    print(f"{'step (ms)':<26}{heads}")
    rows = [*STEPS, "bare_commit", "concurrent_call_next", "paced_call_next"]
    labels = {
        "concurrent_call_next": f"call_next x{args.counters} busy",
        "paced_call_next": f"call_next x{args.counters} ~{args.pause_ms:g}ms",
    }
    for row in rows:
        cells = ""
        for n in names:
            r = results[n]
            m = r["steps"][row] if row in r["steps"] else r[row]
            cpu = f"{m['cpu_p50']:>9.2f}" if "cpu_p50" in m else " " * 9
            cells += f"{m['p50']:>14.2f}{m['p99']:>14.2f}{cpu}"
        print(f"{labels.get(row, row):<26}{cells}")
    print(
        f"call_next x{args.counters}: one thread per counter in this process, back to back "
        f"(busy) or after a random pause of 0-{2 * args.pause_ms:g} ms"
    )
    for n in names:
        per_round = results[n]["statements_per_round"]
        print(f"{n}: {per_round} statements per round of {len(STEPS)} steps")
        print(f"{n} pick plan: {results[n]['pick_plan']}")


if __name__ == "__main__":
    main()
