"""What the benchmarks share: databases to run in, the bench hall, timing and the machine.

Not collected by pytest (`norecursedirs` leaves tests/bench out); run by `scripts/bench`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.models import Counter, CounterService, Hall, Service
from app.models.db import Database
from app.models.migrate import upgrade
from app.services import errors
from app.services.errors import DomainError
from app.services.simulation.demo_hall import DEMO_PASSWORD, ensure_demo_hall
from app.settings import DatabaseSettings, Settings

# Numbers are unique per hall, day and letter (A001-A999), so 5,000 waiting tickets need
# more than the demo hall's four services: the bench hall adds four more.
EXTRA_SERVICES = (
    ("GAS", "D", "燃气业务", "Gas"),
    ("WATER", "E", "用水业务", "Water"),
    ("TEL", "F", "通信业务", "Telecom"),
    ("CERT", "G", "证明开具", "Certificates"),
)


# ---------------------------------------------------------------- numbers
def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(p / 100 * len(sorted_values) + 0.499999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# Each client's first calls of a closed run: its fresh backend's catalog caches, the first
# plans of its statements, and the burst of every client doing that at the same moment
# (docs/PERFORMANCE.md, "The start-up burst")
WARM_UP_CALLS = 5


def steady_p99_ms(per_client: list[list[float]], skip: int = WARM_UP_CALLS) -> float:
    """p99 (ms) of the calls that follow each client's first `skip` (its warm-up); each
    client's latencies (s) in the order it made them."""
    return round(percentile(sorted(1000 * s for c in per_client for s in c[skip:]), 99), 2)


@dataclass(frozen=True)
class Latency:
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    per_s: float  # completed operations per second of wall time

    @classmethod
    def of(cls, seconds: list[float], wall_s: float) -> Latency:
        ms = sorted(s * 1000 for s in seconds)
        return cls(
            n=len(ms),
            p50_ms=round(percentile(ms, 50), 2),
            p95_ms=round(percentile(ms, 95), 2),
            p99_ms=round(percentile(ms, 99), 2),
            max_ms=round(ms[-1], 2) if ms else 0.0,
            mean_ms=round(sum(ms) / len(ms), 2) if ms else 0.0,
            per_s=round(len(ms) / wall_s, 1) if wall_s > 0 else 0.0,
        )


def timed(op: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = op()
    return result, time.perf_counter() - start


# ---------------------------------------------------------------- databases
@contextmanager
def postgres_admin_url() -> Iterator[str]:
    """`HALLDESK_BENCH_DATABASE_URL` (a server whose user may create databases), or a
    throw-away cluster of tests/pg_server.py."""
    given = os.environ.get("HALLDESK_BENCH_DATABASE_URL")
    if given:
        yield given
        return
    from tests.pg_server import PgServer

    server = PgServer()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    name = f"halldesk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def fresh_sqlite_database() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="halldesk-bench-"))
    try:
        yield f"sqlite:///{folder / 'central.sqlite3'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def open_core(url: str, pool_size: int) -> Iterator[Core]:
    core = build_core(Settings(database=DatabaseSettings(url=url)), demo=False, pool_size=pool_size)
    try:
        yield core
    finally:
        core.close()


def migrate(url: str) -> None:
    db = Database.from_url(url, use_keyring=False)
    try:
        upgrade(db.engine)
    finally:
        db.dispose()


# ---------------------------------------------------------------- the bench hall
def build_bench_hall(core: Core, code: str, counters: int) -> list[str]:
    """The demo hall with `counters` counters and eight services; every counter serves
    all eight, each starting from a different one, so no counter runs dry before the
    hall does. Returns the service codes."""
    ensure_demo_hall(core.db, code=code, counters=counters)
    with core.db.write() as s:
        hall = s.scalars(select(Hall).where(Hall.code == code)).one()
        start = len(s.scalars(select(Service).where(Service.hall_id == hall.id)).all())
        for i, (svc, prefix, zh, en) in enumerate(EXTRA_SERVICES):
            s.add(
                Service(
                    id=uuid.uuid4(),
                    hall_id=hall.id,
                    code=svc,
                    prefix=prefix,
                    name_zh=zh,
                    name_en=en,
                    priority_weight=0,
                    wait_threshold_min=20,
                    default_service_s=300,
                    sort_order=start + i,
                    active=True,
                )
            )
        s.flush()
        services = s.scalars(
            select(Service).where(Service.hall_id == hall.id).order_by(Service.sort_order)
        ).all()
        for counter in s.scalars(select(Counter).where(Counter.hall_id == hall.id)).all():
            k = (counter.number - 1) % len(services)
            plan = list(services[k:]) + list(services[:k])
            counter.services.clear()
            s.flush()
            counter.services.extend(
                CounterService(service_id=svc.id, rank=rank) for rank, svc in enumerate(plan)
            )
        codes = [svc.code for svc in services]
    core.halls.forget(code)
    return codes


def log_in_counters(core: Core, code: str, counters: int) -> None:
    for n in range(1, counters + 1):
        staff = core.auth.login(str(1000 + n), DEMO_PASSWORD)
        core.counters.open_session(code, n, staff)


def log_out_counters(core: Core, code: str, counters: int) -> None:
    """Finish whoever is at each counter and log the clerk out, to free them for another hall."""
    for n in range(1, counters + 1):
        try:
            core.queue.finish(code, n)
        except DomainError as exc:
            if exc.code != errors.NO_CURRENT_TICKET:
                raise
        core.counters.close_session(code, n)


def load_tickets(core: Core, code: str, services: list[str], total: int) -> list[float]:
    """Issue `total` waiting tickets round the services (a few elderly and VIP); the
    latency of each issue."""
    rng = random.Random(0)
    took: list[float] = []
    for i in range(total):
        u = rng.random()
        priority = 2 if u < 0.02 else 1 if u < 0.07 else 0
        svc = services[i % len(services)]
        _, secs = timed(lambda svc=svc, p=priority: core.queue.issue_ticket(code, svc, priority=p))
        took.append(secs)
    return took


# ---------------------------------------------------------------- the machine
def machine() -> dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "load_1min": round(os.getloadavg()[0], 2),
    }


def postgres_cpu_s(engine: Engine) -> float | None:
    """CPU seconds (user + system) the PostgreSQL server behind `engine` has used so far:
    its postmaster, every live child (backends, WAL writer, checkpointer, ...) and the
    children it has reaped. None when the server does not run on this machine, or the
    database is no PostgreSQL (a SQLite file has no server)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as c:
        backend = int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())
    try:
        postmaster = int(_proc_stat(backend)[1])
        mine = _proc_stat(postmaster)
    except (OSError, IndexError, ValueError):
        return None
    ticks = sum(int(mine[k]) for k in (11, 12, 13, 14))  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _proc_stat(int(entry.name))
        except (OSError, IndexError):  # gone meanwhile
            continue
        if fields[1] == str(postmaster):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def split_cores(engine: Engine) -> str:
    """Put the PostgreSQL server behind `engine` on the first CPU and this process (and
    what it starts from now on: counter processes, pgbench) on the others, as when the
    counters are PCs of their own. The postmaster's new backends inherit its CPU.
    Refused (RuntimeError) with fewer than 2 CPUs or a server not on this machine."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise RuntimeError("--split-cores needs 2 CPUs or more")
    with engine.connect() as c:
        backend = int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())
    try:
        postmaster = int(_proc_stat(backend)[1])
        pids = [postmaster] + [
            int(e.name)
            for e in Path("/proc").iterdir()
            if e.name.isdigit() and _parent(int(e.name)) == postmaster
        ]
    except (OSError, IndexError, ValueError) as exc:
        raise RuntimeError(f"--split-cores: the server is not on this machine ({exc})") from exc
    server, clients = {cpus[0]}, set(cpus[1:])
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # a backend gone meanwhile
            os.sched_setaffinity(pid, server)
    os.sched_setaffinity(0, clients)
    engine.dispose()  # this process's pooled backends: new ones, on the server's CPU
    return f"server on CPU {cpus[0]}, clients on CPU {','.join(map(str, sorted(clients)))}"


def _parent(pid: int) -> int | None:
    try:
        return int(_proc_stat(pid)[1])
    except (OSError, IndexError, ValueError):  # gone meanwhile
        return None


def _proc_stat(pid: int) -> list[str]:
    """/proc/<pid>/stat from its third field (state, ppid, ...): the name may hold spaces."""
    return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()


def pg_bindir() -> Path | None:
    found = shutil.which("pgbench")
    if found:
        return Path(found).parent
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return cand.parent
    return None


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload,no-any-return]
