"""Where call-next's time goes: each SQL statement timed, cProfile's top, the pick's plan.

Used by bench_queue.py --profile; not a benchmark of its own.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text

from app.bootstrap import Core

STATEMENT_KINDS = (
    ("LOCK AND CALL", "BEGIN, lock, finish, pick + call, COMMIT: one trip (PostgreSQL)"),
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
    """Where one thread's call-next time goes: each SQL statement timed round trip (by
    SQLAlchemy's cursor events; on PostgreSQL, whose call next runs on the bare driver
    in one round trip, by timing that trip's method), no profiler overhead; the rest is
    Python and the pool checkout. Then cProfile's top."""
    spent: dict[str, float] = {}
    count: dict[str, int] = {}
    started: dict[int, float] = {}

    def add(kind: str, took: float) -> None:
        spent[kind] = spent.get(kind, 0.0) + took
        count[kind] = count.get(kind, 0) + 1

    def before(_c: object, cursor: object, *_a: object) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_c: object, cursor: object, statement: str, *_a: object) -> None:
        add(_kind(statement), time.perf_counter() - started.pop(id(cursor)))

    def timed(kind: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                add(kind, time.perf_counter() - t0)

        return run

    engine = core.db.engine
    nxt = core.queue._next  # bench instrumentation: the driver path has no cursor events
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    nxt.lock_and_call = timed(_kind("LOCK AND CALL"), nxt.lock_and_call)  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        for _ in range(calls):
            core.queue.call_next(hall, 1)
        total = time.perf_counter() - start
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        del nxt.lock_and_call  # the class's method again
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
