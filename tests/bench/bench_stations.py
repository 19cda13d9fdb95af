"""Past one machine (issue 9): thousands of light cached stations against one PostgreSQL.

    .venv/bin/python tests/bench/bench_stations.py [--json] [--stations 3000] [--per-hall 30]
        [--seconds 90] [--interval 60] [--pay-every 1200] [--report-every 30]
        [--prune-every 120] [--procs 4] [--threads 4] [--pool 20] [--no-direct]
        [--direct-seconds 15] [--probe-listeners 150 (0: no probe)]
    scripts/bench stations

A central PostgreSQL (throw-away cluster, or `HALLDESK_BENCH_DATABASE_URL`) with N/30
halls, each with a clerk and 30 accounts with a bill; every station registered at the
centre as after its first copy, the change log empty. A real PgBouncer 1.18 in
transaction mode (Debian's `pgbouncer`, installed by scripts/bench) in front of it, with
`--pool` server connections. `--procs` processes of light stations
(tests/bench/light_stations.py: a cached station's central calls, without its cache),
whole halls to a process, one `ChangeListener` per hall straight to PostgreSQL. Each
station polls every `--interval` s, is woken by its hall's listener, and its clerk pays
every `--pay-every` s on average; it reports how far it has read and prunes its hall's
log more often than a station does (300 s and 600 s), so that the run shows the log at
its steady size (the load of reports and prunes is counted apart, per second).

Measured at the centre over `--seconds`: server sessions (pg_stat_activity: peak and
mean, of which listening and active), transactions/s (PgBouncer's count), sessions
opened/s, the change log's size every second, the CPU of PostgreSQL, of its listening
sessions and of PgBouncer; at the stations: what they did, and how long after a payment
was committed at the centre the other stations of its hall had pulled it (p50/p99; on a
2-core machine the stations' own Python is most of the wait). Then the same stations
with no PgBouncer, each unit of work on a new PostgreSQL session ("direct short
connections"), for comparison; and a probe of what a listening session costs the server
per NOTIFY (tests/bench/notify_probe.py), for the arithmetic of 1,000 listeners.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.models.db import Database  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402
from tests.bench import notify_probe  # noqa: E402
from tests.bench.stations_setup import central_server, make_halls, register  # noqa: E402
from tests.pgbouncer import PgBouncer  # noqa: E402

SAMPLE = text(
    """
    SELECT
      count(*) FILTER (WHERE a.backend_type = 'client backend') AS sessions,
      count(*) FILTER (WHERE a.state = 'active') AS active,
      count(*) FILTER (WHERE a.query LIKE 'LISTEN%') AS listening,
      (SELECT xact_commit + xact_rollback FROM pg_stat_database
        WHERE datname = current_database()) AS xacts,
      (SELECT sessions FROM pg_stat_database WHERE datname = current_database()) AS opened,
      (SELECT count(*) FROM change_log) AS log_rows
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
    """
)
IDLE_S = 3.0
LISTENERS = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'"
)


def proc_cpu_s(*pids: int) -> float:
    """CPU seconds of live processes, to the nanosecond (/proc/<pid>/schedstat; a gone
    process counts nothing)."""
    ns = 0
    for pid in pids:
        try:
            ns += int((Path("/proc") / str(pid) / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue
    return ns / 1e9


class Sampler(threading.Thread):
    """Once a second: the centre's sessions, transactions, sessions opened, the change
    log's size, the CPU of PostgreSQL, of its listening sessions and of PgBouncer, and
    PgBouncer's pool and counts."""

    def __init__(self, url: str, bouncer: PgBouncer | None) -> None:
        super().__init__(daemon=True)
        u = make_url(url).set(drivername="postgresql+psycopg")
        self.engine = create_engine(u, isolation_level="AUTOCOMMIT", pool_size=1)
        self.bouncer, self.database = bouncer, u.database
        with self.engine.connect() as c:
            self.listeners = [int(pid) for pid in c.execute(LISTENERS).scalars()]
        self.samples: list[dict[str, Any]] = []
        self.done = threading.Event()

    def take(self) -> dict[str, Any]:
        with self.engine.connect() as c:
            row = dict(c.execute(SAMPLE).one()._mapping)
        row["t"] = time.monotonic()
        row["cpu_s"] = lib.postgres_cpu_s(self.engine) or 0.0
        row["listeners_cpu_s"] = proc_cpu_s(*self.listeners)
        if self.bouncer is not None and self.bouncer.proc is not None:
            row["bouncer_cpu_s"] = proc_cpu_s(self.bouncer.proc.pid)
            stats = [r for r in self.bouncer.show("STATS") if r["database"] == self.database]
            row["bouncer_xacts"] = sum(int(r["total_xact_count"]) for r in stats)
            row["bouncer_wait_us"] = sum(int(r["total_wait_time"]) for r in stats)
            pool = [r for r in self.bouncer.show("POOLS") if r["database"] == self.database]
            for key in ("cl_active", "cl_waiting", "sv_active", "sv_idle", "sv_used"):
                row[key] = sum(int(r[key]) for r in pool)
        return row

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.samples.append(self.take())

    def until(self, end: float) -> list[dict[str, Any]]:
        """The samples up to `end` (monotonic), then stop sampling."""
        time.sleep(max(0.0, end - time.monotonic()))
        self.samples.append(self.take())
        self.done.set()
        self.join()
        return [s for s in self.samples if s["t"] <= end + 0.5]


def pct(values: list[float], p: float) -> float:
    return round(lib.percentile(sorted(values), p), 1)


def start_stations(cfg: dict[str, Any], halls: list[dict[str, Any]], procs: int) -> list[Any]:
    """The station processes, whole halls to each; returned once all are ready."""
    started = []
    for p in range(procs):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.light_stations"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({**cfg, "halls": halls[p::procs]}) + "\n")
        proc.stdin.flush()
        started.append(proc)
    for proc in started:
        line = proc.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"bench_stations: a station process failed ({line!r})")
    return started


def say(what: str) -> None:
    print(f"bench_stations {time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)


def run_mode(
    mode: str,
    url: str,
    bouncer: PgBouncer | None,
    halls: list[dict[str, Any]],
    args: argparse.Namespace,
    run: str,
) -> dict[str, Any]:
    db = Database.from_url(url, use_keyring=False, pool_size=1)
    seconds = args.seconds if mode == "pgbouncer" else args.direct_seconds
    cfg = {
        "url": bouncer.url(make_url(url).database) if bouncer else url,
        "listen_url": url,
        "mode": mode,
        "per_hall": args.per_hall,
        "threads": args.threads,
        "run": run,
        "seconds": seconds,
        "interval": args.interval,
        "pay_every": args.pay_every,
        "report_every": args.report_every,
        "prune_every": args.prune_every,
        "cursor": register(db, halls, args.per_hall),
    }
    idle = lib.postgres_cpu_s(db.engine) or 0.0
    time.sleep(IDLE_S)  # the server's own work (checkpointer, autovacuum, ...), no station
    idle_cores = ((lib.postgres_cpu_s(db.engine) or 0.0) - idle) / IDLE_S
    db.dispose()
    say(f"{mode}: starting the stations")
    procs = start_stations(cfg, halls, args.procs)
    say(f"{mode}: running {seconds:.0f} s")
    sampler = Sampler(url, bouncer)
    first = sampler.take()
    sampler.start()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    samples = sampler.until(first["t"] + seconds - 0.5)  # the stations stop at go + seconds
    outs = [json.loads(p.communicate(timeout=900)[0].strip().splitlines()[-1]) for p in procs]
    say(f"{mode}: done")
    sampler.engine.dispose()
    result = centre(samples, first, idle_cores, len(sampler.listeners))
    result.update(stations(outs, sum(o["wall_s"] for o in outs) / len(outs)))
    return result


def centre(
    samples: list[dict[str, Any]], first: dict[str, Any], idle: float, listeners: int
) -> dict[str, Any]:
    """What the central server saw (pg_stat_activity, pg_stat_database, /proc, PgBouncer)."""
    last = samples[-1]
    wall = last["t"] - first["t"]
    sessions = [s["sessions"] for s in samples]
    xacts = last["xacts"] - first["xacts"] - len(samples)  # the sampler's own
    if "bouncer_xacts" in last:  # PgBouncer counts them as they end; the server, later
        xacts = last["bouncer_xacts"] - first["bouncer_xacts"]
    cores = (last["cpu_s"] - first["cpu_s"]) / wall
    result: dict[str, Any] = {
        "seconds": round(wall, 1),
        "server_sessions_peak": max(sessions),
        "server_sessions_mean": round(sum(sessions) / len(sessions), 1),
        "of_which_listening": max(s["listening"] for s in samples),
        "active_peak": max(s["active"] for s in samples),
        "active_mean": round(sum(s["active"] for s in samples) / len(samples), 2),
        "sessions_opened_per_s": round((last["opened"] - first["opened"]) / wall, 1),
        "transactions_per_s": round(xacts / wall, 1),
        "postgres_cpu_cores": round(cores, 3),
        "postgres_cpu_cores_no_station": round(idle, 3),
        "postgres_cpu_ms_per_transaction": round(cores * 1000 / max(xacts / wall, 1), 3),
        "listener_backends": listeners,
        "listener_backends_cpu_ms_per_s": round(
            (last["listeners_cpu_s"] - first["listeners_cpu_s"]) * 1000 / wall, 2
        ),
        "change_log_rows": {
            "start": first["log_rows"],
            "max": max(s["log_rows"] for s in samples),
            "end": last["log_rows"],
            "every_10s": [s["log_rows"] for s in samples[9::10]],
        },
    }
    if "bouncer_xacts" in last:
        result["pgbouncer"] = {
            "clients_peak": max(s["cl_active"] + s["cl_waiting"] for s in samples),
            "clients_waiting_peak": max(s["cl_waiting"] for s in samples),
            "server_connections_peak": max(
                s["sv_active"] + s["sv_idle"] + s["sv_used"] for s in samples
            ),
            "wait_ms_per_transaction": round(
                (last["bouncer_wait_us"] - first["bouncer_wait_us"]) / 1000 / max(xacts, 1), 3
            ),
            "cpu_ms_per_s": round(
                (last["bouncer_cpu_s"] - first["bouncer_cpu_s"]) * 1000 / wall, 1
            ),
        }
    return result


def stations(outs: list[dict[str, Any]], wall: float) -> dict[str, Any]:
    """What the stations did, and how long a payment took to reach their hall's others."""
    counts: dict[str, int] = {}
    timings: dict[str, list[float]] = {}
    for out in outs:
        for k, v in out["counts"].items():
            counts[k] = counts.get(k, 0) + v
        for k, v in out["timings"].items():
            timings.setdefault(k, []).extend(v)
    result: dict[str, Any] = {
        "per_s": {k: round(v / wall, 2) for k, v in sorted(counts.items())},
        "station_procs_cpu_cores": round(sum(o["cpu_s"] for o in outs) / wall, 2),
        "errors": [e for o in outs for e in o["errors"]][:5],
    }
    for key in ("pushed_to_pulled_ms", "paid_to_pulled_ms", "push_ms", "pull_ms"):
        values = timings.get(key, [])
        result[key] = {"n": len(values), "p50": pct(values, 50), "p99": pct(values, 99)}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--per-hall", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--direct-seconds", type=float, default=15.0)
    parser.add_argument("--interval", type=float, default=60.0, help="[sync] interval_s")
    parser.add_argument("--pay-every", type=float, default=1200.0, help="mean s between payments")
    # a station's own: 300 and 600 (app.station_cache); shorter here, so that a run of a
    # minute shows the change log pruned to its steady size
    parser.add_argument("--report-every", type=float, default=30.0)
    parser.add_argument("--prune-every", type=float, default=120.0)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="per process")
    # PgBouncer's server connections: at least the stations' threads (procs x threads), so
    # that a simulated station slow to send its next statement holds up no other
    parser.add_argument("--pool", type=int, default=20, help="PgBouncer's server connections")
    parser.add_argument("--no-direct", action="store_true")
    parser.add_argument("--probe-listeners", type=int, default=150, help="0: no NOTIFY probe")
    parser.add_argument("--probe-commits", type=int, default=600)
    parser.add_argument("--probe-rate", type=float, default=250.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n_halls = max(1, args.stations // args.per_hall)
    result: dict[str, Any] = {
        "machine": lib.machine(),
        "halls": n_halls,
        "stations": n_halls * args.per_hall,
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "no_direct")},
    }
    needed = max(n_halls + args.procs * args.threads + args.pool, args.probe_listeners) + 10
    with central_server(needed) as admin, lib.fresh_postgres_database(admin) as url:
        say("setting up the centre")
        lib.migrate(url)
        db = Database.from_url(url, use_keyring=False)
        halls = make_halls(db, n_halls)
        db.dispose()
        bouncer = PgBouncer(admin, pool_size=args.pool, max_clients=result["stations"] + 200)
        bouncer.start()
        try:
            result["through_pgbouncer"] = run_mode("pgbouncer", url, bouncer, halls, args, "A")
        finally:
            bouncer.stop()
        if not args.no_direct:
            result["direct_short_connections"] = run_mode("direct", url, None, halls, args, "B")
        if args.probe_listeners:
            say("NOTIFY probe")
            engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
            conninfo = make_url(url).render_as_string(hide_password=False)
            result["notify_probe"] = notify_probe.probe(
                engine, conninfo, args.probe_listeners, args.probe_commits, args.probe_rate
            )
            engine.dispose()
    result["load_end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        m = result["machine"]
        print(
            f"{result['stations']} stations in {result['halls']} halls; {m['cpus']} CPUs, "
            f"load {m['load_1min']} -> {result['load_end']}, {m['date']}"
        )
        for key in ("through_pgbouncer", "direct_short_connections", "notify_probe"):
            for name, value in result.get(key, {}).items():
                print(f"  {key[:7]} {name:34s} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
