"""Where call-next's time goes: each SQL statement timed, cProfile's top, the pick's plan.

Used by bench_queue.py --profile; not a benchmark of its own.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time

from sqlalchemy import event, text

from app.bootstrap import Core

STATEMENT_KINDS = (
    ("WITH finished AS", "finish + pick + call + events, one statement (PostgreSQL)"),
    ("ORDER BY tickets.priority +", "pick next ticket (SELECT ... FOR UPDATE SKIP LOCKED)"),
    ("BEGIN", "BEGIN IMMEDIATE (SQLite)"),
    ("FROM counter_sessions", "lock the counter session (SELECT ... FOR UPDATE)"),
    ("WHERE tickets.counter_id", "current ticket of the counter"),
    ("UPDATE tickets", "update tickets (finish the last, call the next)"),
    ("INSERT INTO ticket_events", "insert events (RETURNING id)"),
)


def _kind(statement: str) -> str:
    return next((label for key, label in STATEMENT_KINDS if key in statement), "other")


def profile_call_next(core: Core, hall: str, calls: int) -> dict[str, object]:
    """Where one thread's call-next time goes: each SQL statement timed round trip by
    SQLAlchemy's cursor events (no profiler overhead); the rest is Python (ORM, unit of
    work), the pool checkout with its pre-ping, BEGIN and COMMIT. Then cProfile's top."""
    spent: dict[str, float] = {}
    count: dict[str, int] = {}
    started: dict[int, float] = {}

    def before(_c: object, cursor: object, *_a: object) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_c: object, cursor: object, statement: str, *_a: object) -> None:
        kind = _kind(statement)
        spent[kind] = spent.get(kind, 0.0) + time.perf_counter() - started.pop(id(cursor))
        count[kind] = count.get(kind, 0) + 1

    engine = core.db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        start = time.perf_counter()
        for _ in range(calls):
            core.queue.call_next(hall, 1)
        total = time.perf_counter() - start
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    rows = {
        kind: {
            "ms_per_call": round(1000 * spent[kind] / calls, 2),
            "per_call": round(count[kind] / calls, 1),
        }
        for kind in sorted(spent, key=lambda k: -spent[k])
    }
    sql_ms = 1000 * sum(spent.values()) / calls
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls // 2):
        core.queue.call_next(hall, 1)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
    return {
        "calls": calls,
        "ms_per_call": round(1000 * total / calls, 2),
        "sql_ms_per_call": round(sql_ms, 2),
        "rest_ms_per_call": round(1000 * total / calls - sql_ms, 2),
        "statements": rows,
        "cprofile_top": out.getvalue(),
    }


def explain_pick(core: Core, sql: str) -> dict[str, object]:
    """EXPLAIN ANALYZE of the pick SELECT as captured (run in a rolled-back transaction)."""
    with core.db.engine.connect() as c:
        plan = [
            row[0]
            for row in c.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace(":", "\\:")))
        ]
        c.rollback()
    found = re.search(r"Execution Time: ([\d.]+) ms", "\n".join(plan))
    nodes = [
        line.strip().removeprefix("->").strip().split("  (")[0] for line in plan if "(cost=" in line
    ]
    return {"ms": float(found.group(1)) if found else 0.0, "plan": nodes}
