"""Queue benchmark: call-next latency under 20 counters, and issue→call→finish throughput.

    .venv/bin/python tests/bench/bench_queue.py [--json] [--no-sqlite] [--profile]
                                               [--split-cores]

PostgreSQL: the server of `HALLDESK_BENCH_DATABASE_URL` (its user may create databases),
else a throw-away cluster (tests/pg_server.py). Steps, each in a fresh bench hall (the demo
hall with 20 counters and 8 services, every counter serving all 8 in its own order):

1. load 5,000 waiting tickets with `issue_ticket` (one thread);
2. baseline: the SQL of call-next, captured, through pgbench, 20 clients;
3. call-next: 20 threads, each logged in at its own counter with its own pooled
   connection, calling next repeatedly (each call also finishes the previous customer);
4. call-next: the same from 20 OS processes, one per counter, each with its own engine
   (as in a hall where each counter is its own PC), compared with step 2;
5. issue→call→finish cycles per second, one thread, then 20 threads.

The same (without pgbench and the processes) on a SQLite file, for information. Goals on
PostgreSQL: p99 call-next under 20 ms; from 20 processes back to back, at least half of
pgbench's throughput and at most twice its p99, both p99s taken after each client's first
5 calls (its fresh backend warming up, at the same moment as every other client's; the
p99 of all calls is printed beside it). `--split-cores` puts a local PostgreSQL
on the first CPU and HallDesk and pgbench alike on the others, as when the counters are
PCs of their own; without it all share every CPU.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.bootstrap import Core  # noqa: E402
from app.services.errors import DatabaseUnavailable  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402
from tests.bench import pgbaseline  # noqa: E402
from tests.bench.counter_procs import call_next_processes  # noqa: E402
from tests.bench.queue_profile import explain_pick, profile_call_next  # noqa: E402
from tests.bench.queue_report import table  # noqa: E402

# threads -> (CPU seconds of this process, wall seconds, calls) of the last closed-loop run
CLIENT_CPU: dict[int, tuple[float, float, int]] = {}
MAX_CYCLES = 7000  # 8 services × 999 numbers a day, with room to spare
MAX_TICKETS = 8 * 999  # the bench hall's services, each numbered up to 999 a day


def call_next_threads(core: Core, hall: str, counters: int, calls: int) -> tuple[lib.Latency, int]:
    """Closed loop: `counters` threads call next `calls` times each at their own counter,
    back to back (a clerk who never serves anyone: the worst case, not a hall's day).
    The latencies of the calls that succeeded, and how many failed (a SQLite writer that
    waited past the busy timeout gets `DatabaseUnavailable`)."""
    took: list[list[float]] = [[] for _ in range(counters)]
    failed = [0] * counters

    def work(n: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        for _ in range(calls):
            start = time.perf_counter()
            try:
                got = core.queue.call_next(hall, n)
            except DatabaseUnavailable:
                failed[n - 1] += 1
                continue
            took[n - 1].append(time.perf_counter() - start)
            if got is None:
                break

    cpu = time.process_time()
    wall = _in_threads(counters, work)
    cpu = time.process_time() - cpu
    lat = lib.Latency.of([x for xs in took for x in xs], wall)
    CLIENT_CPU[counters] = (cpu, wall, lat.n)
    return lat, sum(failed)


def call_next_paced(
    core: Core, hall: str, counters: int, rate: float, seconds: float
) -> tuple[lib.Latency, int]:
    """Open loop: the counters together call next `rate` times a second, evenly spread;
    latency counts from the scheduled moment, so a late start is not hidden."""
    took: list[list[float]] = [[] for _ in range(counters)]
    failed = [0] * counters
    interval = counters / rate

    def work(n: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        origin = time.perf_counter() + (n - 1) * interval / counters
        k = 0
        while (due := origin + k * interval) < origin + seconds:
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            try:
                core.queue.call_next(hall, n)
                took[n - 1].append(time.perf_counter() - due)
            except DatabaseUnavailable:
                failed[n - 1] += 1
            k += 1

    wall = _in_threads(counters, work)
    return lib.Latency.of([x for xs in took for x in xs], wall), sum(failed)


def cycles(core: Core, hall: str, services: list[str], threads: int, seconds: float) -> float:
    """issue→call→finish cycles per second: each thread works one counter, issuing a
    ticket, calling next and finishing whoever it called."""
    done = [0] * threads
    stop = threading.Event()
    budget = MAX_CYCLES // threads

    def work(n: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        i = 0
        while not stop.is_set() and i < budget:
            i += 1
            try:
                core.queue.issue_ticket(hall, services[(n + i) % len(services)])
                if core.queue.call_next(hall, n) is not None:
                    core.queue.finish(hall, n)
                    done[n - 1] += 1
            except DatabaseUnavailable:  # SQLite busy timeout: that cycle is lost
                continue

    timer = threading.Timer(seconds, stop.set)
    timer.start()
    wall = _in_threads(threads, work)
    timer.cancel()
    return round(sum(done) / wall, 1)


def _in_threads(count: int, work: Callable[[int, threading.Barrier], None]) -> float:
    """Run work(1..count) in threads started together; the wall time; re-raise a failure."""
    barrier = threading.Barrier(count + 1)
    failures: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            work(n, barrier)
        except BaseException as exc:
            failures.append(exc)

    pool = [threading.Thread(target=guarded, args=(n,)) for n in range(1, count + 1)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    if failures:
        raise failures[0]
    return wall


def _baseline(
    result: dict[str, object],
    key: str,
    run: Callable[[], tuple[lib.Latency, list[list[float]]]],
) -> None:
    """A pgbench run; its failure (a pick SQL pgbench cannot replay) is reported, not fatal."""
    try:
        lat, per_client = run()
        result[key] = asdict(lat) | {"steady_p99_ms": lib.steady_p99_ms(per_client)}
    except RuntimeError as exc:
        result[f"{key}_error"] = str(exc)[-2000:]


def _server_cpu(core: Core, result: dict[str, object], key: str, run: Callable[[], None]) -> None:
    """Run `run`, which stores figures under `key`, and add the PostgreSQL server's CPU
    per call to them: call-next's cost on the central server, whoever the client is."""
    before = lib.postgres_cpu_s(core.db.engine)
    run()
    time.sleep(0.3)  # the run's backends exit and are reaped (their CPU counted)
    after = lib.postgres_cpu_s(core.db.engine)
    got = result.get(key)
    if before is not None and after is not None and isinstance(got, dict) and got.get("n"):
        got["server_cpu_ms_per_call"] = round(1000 * (after - before) / got["n"], 3)


def bench_database(
    url: str, args: argparse.Namespace, *, pgbench: bool, log: Callable[[str], None]
) -> dict[str, object]:
    lib.migrate(url)
    result: dict[str, object] = {}
    n = args.counters
    with lib.open_core(url, pool_size=n + 5) as core:
        if core.db.dialect == "postgresql":
            with core.db.engine.connect() as c:
                result["server"] = c.execute(text("SHOW server_version")).scalar()
            if args.split_cores:
                result["cores"] = lib.split_cores(core.db.engine)
        hall = "BENCH"
        services = lib.build_bench_hall(core, hall, n)
        lib.log_in_counters(core, hall, n)
        log(f"loading {args.tickets} waiting tickets")
        start = time.perf_counter()
        issued = lib.load_tickets(core, hall, services, args.tickets)
        result["issue_load"] = asdict(lib.Latency.of(issued, time.perf_counter() - start))
        calls: dict[int, tuple[str, ...]] = {}
        if pgbench:
            calls = pgbaseline.capture_call_sql(core, hall, n)
        for k in range(1, n + 1):  # one call at each counter warms the pool and the caches
            core.queue.call_next(hall, k)
        pgbaseline.reset_hall(core, hall)
        if pgbench:
            # counter 1's statements after its lock: the finish (nobody to finish after the
            # reset), then the pick and call
            result["finish_explain"] = explain_pick(core, calls[1][1])
            result["call_explain"] = explain_pick(core, calls[1][2])
            log(f"pgbench: {n} clients x {args.calls} call transactions")
            _server_cpu(
                core,
                result,
                "pgbench_closed",
                lambda: _baseline(
                    result,
                    "pgbench_closed",
                    lambda: pgbaseline.run_pgbench(url, calls, args.calls),
                ),
            )
            pgbaseline.reset_hall(core, hall)
        # Every run starts from the same rows: the first call at a counter finishes
        # nobody, every later one also finishes the customer before.
        log(f"call-next: {n} threads x {args.calls} calls, back to back")

        def threads_run() -> None:
            lat, failed = call_next_threads(core, hall, n, args.calls)
            cpu, wall, done = CLIENT_CPU[n]
            result["call_next_closed"] = asdict(lat) | {
                "failed": failed,
                # HallDesk's own CPU (Python, one GIL) per call and as a share of one core
                "client_cpu_ms_per_call": round(1000 * cpu / max(done, 1), 2),
                "client_cpu_cores": round(cpu / wall, 2),
            }

        _server_cpu(core, result, "call_next_closed", threads_run)
        pgbaseline.reset_hall(core, hall)
        if pgbench and not args.no_processes:
            log(f"call-next: {n} processes x {args.calls} calls, back to back")
            result["call_next_processes"] = call_next_processes(
                url, hall, n, args.calls, lambda: lib.postgres_cpu_s(core.db.engine)
            )
            pgbaseline.reset_hall(core, hall)
        if pgbench:
            log(f"pgbench: {args.rate:g} calls/s for {args.paced_seconds:g} s")
            _baseline(
                result,
                "pgbench_paced",
                lambda: pgbaseline.run_pgbench(
                    url, calls, 0, rate=args.rate, seconds=args.paced_seconds
                ),
            )
            pgbaseline.reset_hall(core, hall)
        log(f"call-next: {args.rate:g} calls/s over {n} counters for {args.paced_seconds:g} s")
        lat, failed = call_next_paced(core, hall, n, args.rate, args.paced_seconds)
        result["call_next_paced"] = asdict(lat) | {"failed": failed}
        pgbaseline.reset_hall(core, hall)
        log("call-next: 1 thread x 200 calls")
        one, _ = call_next_threads(core, hall, 1, 200)
        result["call_next_1_thread"] = asdict(one)
        for mode, base_mode in (("closed", "closed"), ("paced", "paced"), ("processes", "closed")):
            mine, base = result.get(f"call_next_{mode}"), result.get(f"pgbench_{base_mode}")
            if isinstance(mine, dict) and isinstance(base, dict):
                ratio = {
                    "p50": round(mine["p50_ms"] / base["p50_ms"], 2),
                    "p99": round(mine["p99_ms"] / base["p99_ms"], 2),
                    "mean": round(mine["mean_ms"] / base["mean_ms"], 2),
                    "per_s": round(mine["per_s"] / base["per_s"], 2),
                }
                if "steady_p99_ms" in mine:  # both closed, each after its warm-up calls
                    ratio["p99_steady"] = round(mine["steady_p99_ms"] / base["steady_p99_ms"], 2)
                result[f"ratio_{mode}"] = ratio
        if args.profile:
            pgbaseline.reset_hall(core, hall)
            result["profile"] = profile_call_next(core, hall, 200)
        lib.log_out_counters(core, hall, n)
        for threads in (1, n):
            code = f"BENCH{threads}"
            services = lib.build_bench_hall(core, code, n)
            lib.log_in_counters(core, code, n)
            log(f"issue→call→finish cycles: {threads} thread(s), {args.seconds:g} s")
            result[f"cycles_{threads}_threads"] = cycles(
                core, code, services, threads, args.seconds
            )
            lib.log_out_counters(core, code, n)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--tickets", type=int, default=5000)
    p.add_argument("--counters", type=int, default=20)
    p.add_argument("--calls", type=int, default=150, help="call-next calls per counter")
    p.add_argument("--seconds", type=float, default=5.0, help="length of each cycles run")
    p.add_argument("--rate", type=float, default=20.0, help="calls/s of the paced run")
    p.add_argument("--paced-seconds", type=float, default=15.0, help="length of the paced run")
    p.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    p.add_argument(
        "--no-processes", action="store_true", help="skip the one-process-per-counter run"
    )
    p.add_argument("--profile", action="store_true", help="cProfile one thread's call-next")
    p.add_argument(
        "--split-cores",
        action="store_true",
        help="PostgreSQL on the first CPU, HallDesk and pgbench on the others (as counters\n"
        "on PCs of their own); the server must run on this machine",
    )
    args = p.parse_args(argv)
    if max(args.counters * args.calls, args.rate * args.paced_seconds, 200) > args.tickets:
        p.error("each run takes its calls from --tickets: counters x calls, rate x seconds, 200")
    if args.calls <= lib.WARM_UP_CALLS:
        p.error(f"--calls: more than each counter's {lib.WARM_UP_CALLS} warm-up calls")
    if args.tickets > MAX_TICKETS:
        p.error(f"--tickets: at most {MAX_TICKETS} (8 services x 999 numbers a day)")
    logging.basicConfig(level=logging.WARNING)
    keyring.set_keyring(NullKeyring())  # URLs carry their password; no desktop keyring here

    def log(msg: str) -> None:
        print(f"  .. {msg}", file=sys.stderr, flush=True)

    report: dict[str, object] = {
        "machine": lib.machine(),
        "config": {
            "tickets": args.tickets,
            "counters": args.counters,
            "calls": args.calls,
            "seconds": args.seconds,
            "rate": args.rate,
            "paced_seconds": args.paced_seconds,
        },
    }
    if not args.no_postgres:
        log("PostgreSQL")
        with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
            report["postgresql"] = bench_database(url, args, pgbench=True, log=log)
    if not args.no_sqlite:
        log("SQLite")
        with lib.fresh_sqlite_database() as url:
            report["sqlite"] = bench_database(url, args, pgbench=False, log=log)
    report["load_1min_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
