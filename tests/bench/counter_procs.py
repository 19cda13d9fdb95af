"""Call-next from counters in their own OS processes, as in a hall where each counter is
its own PC: each process has its own interpreter, engine and one pooled connection.

Used by bench_queue.py; not a benchmark of its own. Processes are started with `spawn`,
so none inherits the parent's open database connections.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier

from tests.bench.benchlib import Latency, steady_p99_ms

START_TIMEOUT_S = 300.0  # 20 interpreters importing SQLAlchemy on 2 busy cores


def _counter(url: str, hall: str, number: int, calls: int, go: Barrier, out: Connection) -> None:
    """One counter: connect, read the hall, wait for the others, then call next `calls`
    times back to back. Sends (latencies, start, end, CPU seconds, error)."""
    from app.models.db import Database
    from app.services.hall_ref import HallDirectory
    from app.services.queue.service import QueueService

    db = Database.from_url(url, pool_size=1, use_keyring=False)
    took: list[float] = []
    start = end = cpu = 0.0
    error = ""
    try:
        halls = HallDirectory(db)
        queue = QueueService(db, halls)
        halls.get(hall)  # the hall's reference data, read once as the app does
        with db.engine.connect():  # the pooled connections, opened before the start:
            pass
        with db.driver_write():  # SQLAlchemy's, and call next's own (Database.driver_write)
            pass
        go.wait(START_TIMEOUT_S)
        cpu = time.process_time()
        start = time.perf_counter()
        for _ in range(calls):
            t0 = time.perf_counter()
            got = queue.call_next(hall, number)
            took.append(time.perf_counter() - t0)
            if got is None:
                break
        end = time.perf_counter()
        cpu = time.process_time() - cpu
    except Exception as exc:  # reported to the parent, which fails the run
        error = f"counter {number}: {exc!r}"
        go.abort()
    finally:
        db.dispose()
    out.send((took, start, end, cpu, error))
    out.close()


def call_next_processes(
    url: str,
    hall: str,
    counters: int,
    calls: int,
    server_cpu_s: Callable[[], float | None] | None = None,
) -> dict[str, object]:
    """Closed loop over `counters` processes (counter k in process k), back to back.
    The latencies of every call, and the p99 after each counter's warm-up; throughput
    over the wall time from the first start to the last end (perf_counter is the system's
    monotonic clock, shared by processes); the CPU the processes spent per call; and,
    given `server_cpu_s`, the database server's CPU per call from the start line on (not
    the processes' connecting)."""
    ctx = mp.get_context("spawn")
    go = ctx.Barrier(counters + 1)
    pipes = []
    procs = []
    for n in range(1, counters + 1):
        mine, theirs = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_counter, args=(url, hall, n, calls, go, theirs), daemon=True)
        p.start()
        theirs.close()
        pipes.append(mine)
        procs.append(p)
    with contextlib.suppress(threading.BrokenBarrierError):  # a counter failed: see below
        go.wait(START_TIMEOUT_S)
    server_before = server_cpu_s() if server_cpu_s else None
    results = [pipe.recv() for pipe in pipes]
    server_after = server_cpu_s() if server_cpu_s else None
    for p in procs:
        p.join(60)
    errors = [r[4] for r in results if r[4]]
    if errors:
        raise RuntimeError("; ".join(errors))
    took = [x for r in results for x in r[0]]
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    cpu = sum(r[3] for r in results)
    lat = Latency.of(took, wall)
    out: dict[str, object] = {
        **asdict(lat),
        "steady_p99_ms": steady_p99_ms([r[0] for r in results]),
        "client_cpu_ms_per_call": round(1000 * cpu / max(lat.n, 1), 2),
        "client_cpu_cores": round(cpu / wall, 2) if wall > 0 else 0.0,
    }
    if server_before is not None and server_after is not None and lat.n:
        out["server_cpu_ms_per_call"] = round(1000 * (server_after - server_before) / lat.n, 3)
    return out
