"""The baseline of call-next: its SQL, bare, through `pgbench`.

The SQL is not retyped here: it is the very text `QueueService.call_next` gives the
driver at each counter (`QueueService.call_sql`; tests/unit/services/test_queue_round_trips.py
reads it on the wire), with its parameters written as literals (the moment as `now()`),
so pgbench runs exactly the three statements HallDesk sends in its transaction: the lock
of the counter's open session (SELECT ... FOR UPDATE), the finish of its current
customer, then the statement that picks the next with FOR UPDATE SKIP LOCKED and calls
it, each logging its event. One transaction per call, one client per counter, prepared
statements (`-M prepared`). pgbench sends each of BEGIN, the three statements and END as
a round trip of its own, where HallDesk sends all five in one (`app/models/driver_unit.py`).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.bootstrap import Core
from app.services.hall_ref import business_date
from tests.bench.benchlib import Latency, pg_bindir, run

PARAM = re.compile(r"%\((\w+)\)s")


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, uuid.UUID | date | datetime | str):
        return "'" + str(value).replace("'", "''") + "'"
    raise TypeError(f"no literal for {type(value).__name__}")


def _render(statement: str, params: dict[str, Any]) -> str:
    """The statement with its parameters as literals; the moment of the call as `now()`,
    the clock of the run rather than the moment of capture."""
    return PARAM.sub(
        lambda m: "now()" if m.group(1) == "now" else _literal(params[m.group(1)]), statement
    )


def capture_call_sql(core: Core, hall: str, counters: int) -> dict[int, tuple[str, ...]]:
    """Counter number -> (the session lock, the finish, the pick-call), as `call_next`
    sends them there now: its counter, the business day."""
    info = core.halls.get(hall)
    day = business_date(info, core.queue.clock.now())
    out: dict[int, tuple[str, ...]] = {}
    for n in range(1, counters + 1):
        counter = core.halls.counter(info, n)
        params = {"counter_id": counter.id, "day": day, "now": None}
        out[n] = tuple(
            " ".join(_render(sql, params).split()) for sql in core.queue.call_sql(hall, n)
        )
    return out


def reset_hall(core: Core, hall: str) -> None:
    """Every ticket of the hall back to waiting, as loaded; vacuum so each run starts alike."""
    with core.db.engine.connect() as c:
        c.execute(
            text(
                "UPDATE tickets SET status = 'waiting', counter_id = NULL, staff_id = NULL, "
                "called_at = NULL, serving_at = NULL, finished_at = NULL "
                "WHERE hall_id = (SELECT id FROM halls WHERE code = :code)"
            ),
            {"code": hall},
        )
        c.commit()
    if core.db.dialect == "postgresql":
        with core.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE tickets"))
            c.execute(text("VACUUM ANALYZE ticket_events"))


def script(calls: dict[int, tuple[str, ...]]) -> str:
    """One pgbench script: client k works at counter k % N + 1, like HallDesk's counters:
    BEGIN, the session lock, the finish, the call, END."""
    lines = [f"\\set counter :client_id % {len(calls)}", "BEGIN;"]
    for i, (n, statements) in enumerate(sorted(calls.items())):
        lines.append(f"\\if :counter = {n - 1}" if i == 0 else f"\\elif :counter = {n - 1}")
        lines += [sql + ";" for sql in statements]
    lines += ["\\endif", "END;"]
    return "\n".join(lines) + "\n"


def run_pgbench(
    url: str,
    calls: dict[int, tuple[str, ...]],
    per_client: int,
    *,
    rate: float = 0.0,
    seconds: float = 0.0,
) -> tuple[Latency, list[list[float]]]:
    """One client per counter, prepared statements; the latency of every transaction from
    pgbench's own log, and each client's in the order it ran them. Closed loop:
    `per_client` transactions each, back to back. Paced: `rate` transactions a second in
    all for `seconds` (`-R`: latency counts from the scheduled start, as in the paced
    HallDesk run)."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("pgbench not found: install Debian's postgresql-client")
    u = make_url(url)
    env = {"PGPASSWORD": u.password} if u.password else {}
    with tempfile.TemporaryDirectory(prefix="halldesk-pgbench-") as tmp:
        path = Path(tmp) / "call_next.sql"
        path.write_text(script(calls))
        prefix = Path(tmp) / "txlog"
        cmd = [
            str(bindir / "pgbench"),
            "-n",  # no vacuum of pgbench's own tables
            "-M",
            "prepared",
            "-c",
            str(len(calls)),
            "-j",
            "2",
            *(["-R", f"{rate:g}", "-T", f"{seconds:g}"] if rate else ["-t", str(per_client)]),
            "-f",
            str(path),
            "-l",
            f"--log-prefix={prefix}",
            "--verbose-errors",
            "-h",
            u.host or "127.0.0.1",
            "-p",
            str(u.port or 5432),
            "-U",
            u.username or "postgres",
            u.database or "postgres",
        ]
        done = run(cmd, env={**os.environ, **env}, cwd=tmp)
        if done.returncode != 0:
            raise RuntimeError(f"pgbench failed:\n{done.stderr}\n{done.stdout}")
        clients: dict[int, list[tuple[int, float]]] = {}
        failed = 0
        for log in Path(tmp).glob("txlog*"):
            for line in log.read_text().splitlines():
                # client transaction latency_us script epoch epoch_us [schedule_lag_us]
                parts = line.split()
                if parts[2] == "failed":  # a deadlock or serialization failure
                    failed += 1
                    continue
                lag = int(parts[6]) if len(parts) > 6 else 0
                clients.setdefault(int(parts[0]), []).append(
                    (int(parts[1]), (int(parts[2]) + lag) / 1e6)
                )
        if failed:
            why = [x for x in done.stderr.splitlines() if "ERROR" in x or "DETAIL" in x]
            raise RuntimeError(f"pgbench: {failed} transactions failed: " + "; ".join(why[:6]))
        m = re.search(r"tps = ([\d.]+)", done.stdout)
        tps = float(m.group(1)) if m else 0.0
    per_client = [[took for _, took in sorted(c)] for c in clients.values()]
    lat = Latency.of([took for c in per_client for took in c], 1.0)
    return (
        Latency(lat.n, lat.p50_ms, lat.p95_ms, lat.p99_ms, lat.max_ms, lat.mean_ms, tps),
        per_client,
    )
