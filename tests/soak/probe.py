"""The crash probe: workers in their own processes, SIGKILLed and restarted while they
issue and call; on PostgreSQL the server crashed (`pg_ctl stop -m immediate`) and started
again mid-run. Then the database is checked (`integrity`).

`scripts/soak` runs a long probe (`python -m tests.soak`, see `__main__`);
`tests/integration/test_crash_probe.py` a short one.

How a run goes. The database is created with the demo hall (`build_core(demo=True)`).
Worker k (`tests.soak.worker`) is counter k with demo clerk 100k. A kill picks at
random one of the workers that are working (have committed since they were started),
waits a random moment, sends SIGKILL to that PID (only to processes this probe started)
and starts the worker again at once. Halfway through the kills the PostgreSQL server is
stopped in immediate mode (its backends die, nothing is written at shutdown: a crash),
kept down for `outage_s`, and started again; no worker is killed until all of them are
back. A worker is back at its first commit after the restart; its "time back" counts
from the moment the server accepts connections again, as the probe sees it by trying to
connect every 10 ms while the server starts (`pg_ctl start -w` looks only every 0.1 s,
and the server's own start and WAL replay are not the clients' doing; they are shown
apart). After the last kill every worker must commit again, then all stop.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from app.bootstrap import build_core
from app.models.db import Database
from app.settings import DatabaseSettings, Settings
from tests.soak import integrity
from tests.soak.worker import DISPENSERS, HALL

ROOT = Path(__file__).resolve().parents[2]

START_TIMEOUT_S = 90.0  # a Python process importing SQLAlchemy on 2 busy cores, then a commit
BACK_GOAL_S = 0.5


class ProbeError(RuntimeError):
    """The run could not go on: a worker died by itself, or did not come back in time."""


class Crashable(Protocol):
    def crash(self) -> None: ...
    def restart(self) -> None: ...


@dataclass(frozen=True)
class Plan:
    workers: int = 3
    kills: int = 5
    crash: bool = False  # stop the database server in immediate mode halfway (PostgreSQL)
    outage_s: float = 1.0
    kill_after_s: tuple[float, float] = (0.05, 0.6)  # a kill comes this long after working
    pace_s: float = 0.02  # mean pause of a worker between steps
    seed: int = 1


@dataclass
class Outcome:
    backend: str
    plan: Plan
    kills: int = 0
    outage_s: float | None = None  # server stopped → accepting connections again
    server_start_s: float | None = None  # restart asked → first connection accepted
    back_s: dict[int, float] = field(default_factory=dict)  # worker → accepted → its commit
    restart_to_commit_s: list[float] = field(default_factory=list)  # killed worker, restarted
    duration_s: float = 0.0
    report: integrity.Report = field(default_factory=integrity.Report)

    @property
    def max_back_s(self) -> float | None:
        return max(self.back_s.values()) if self.back_s else None


class _Worker:
    """One worker slot: the process of its current generation and its records file."""

    def __init__(self, number: int, run: _Run) -> None:
        self.number = number
        self.run = run
        self.generation = -1
        self.proc: subprocess.Popen[bytes] | None = None
        self.started: list[float] = []  # when each generation was started
        self.start()

    def records_of(self, generation: int) -> Path:
        return self.run.folder / f"w{self.number}.g{generation}.jsonl"

    @property
    def records(self) -> Path:
        return self.records_of(self.generation)

    @property
    def log(self) -> Path:
        return self.run.folder / f"w{self.number}.g{self.generation}.log"

    def start(self) -> None:
        self.generation += 1
        cmd = [
            sys.executable,
            "-m",
            "tests.soak.worker",
            "--url",
            self.run.url,
            "--counter",
            str(self.number),
            "--records",
            str(self.records),
            "--stop",
            str(self.run.stop_file),
            "--seed",
            str(self.run.plan.seed * 1000 + self.number * 100 + self.generation),
            "--pace",
            str(self.run.plan.pace_s),
        ]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=self.run.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(time.monotonic())

    def commits(self, generation: int | None = None) -> list[float]:
        """The moments of a generation's recorded commits (the current one's by default)."""
        path = self.records if generation is None else self.records_of(generation)
        try:
            lines = path.read_bytes().split(b"\n")[:-1]
        except FileNotFoundError:
            return []
        return [json.loads(line)["t"] for line in lines]

    def restart_to_commit(self) -> list[float]:
        """For each restart: how long the new process took to its first commit."""
        firsts = [(self.commits(g)[:1], t) for g, t in enumerate(self.started) if g > 0]
        return [c[0] - t for c, t in firsts if c]

    def working(self) -> bool:
        self.check_alive()
        return self.records.exists() and self.records.stat().st_size > 0

    def check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            self.fail()

    def fail(self) -> None:
        assert self.proc is not None
        tail = self.log.read_text(errors="replace")[-3000:]
        raise ProbeError(
            f"worker {self.number} (generation {self.generation}) exited by itself with "
            f"{self.proc.returncode}:\n{tail}"
        )

    def kill(self) -> None:
        assert self.proc is not None
        self.check_alive()
        os.kill(self.proc.pid, signal.SIGKILL)  # our own child, by its PID
        self.proc.wait(30)


@dataclass
class _Run:
    url: str
    folder: Path
    plan: Plan
    env: dict[str, str]

    @property
    def stop_file(self) -> Path:
        return self.folder / "STOP"


def _wait(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise ProbeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.01)


def run_probe(
    url: str,
    folder: Path,
    plan: Plan,
    server: Crashable | None = None,
    say: Callable[[str], object] = print,
) -> Outcome:
    """One probe on the database at `url` (created here with the demo hall); `server` is
    crashed and restarted halfway when `plan.crash`. Records and logs go to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    settings = Settings(database=DatabaseSettings(url=url))
    build_core(settings, data_dir=folder, demo=True, environ={}).close()
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "PYTHONPATH": str(ROOT),
    }
    run = _Run(url, folder, plan, env)
    rng = random.Random(plan.seed)
    out = Outcome(backend, plan)
    began = time.monotonic()
    workers = [_Worker(n, run) for n in range(1, plan.workers + 1)]
    try:
        _wait(lambda: all(w.working() for w in workers), START_TIMEOUT_S, "the workers to start")
        crash_at = plan.kills // 2 if plan.crash else None
        for k in range(plan.kills + 1):
            if k == crash_at:
                assert server is not None, "a crash needs the server"
                _crash(server, url, workers, plan, out, say)
            if k == plan.kills:
                break
            _wait(lambda: any(w.working() for w in workers), START_TIMEOUT_S, "a worker")
            victim = rng.choice([w for w in workers if w.working()])
            time.sleep(rng.uniform(*plan.kill_after_s))
            victim.kill()
            out.kills += 1
            victim.start()
            say(f"kill {out.kills}/{plan.kills}: worker {victim.number}")
            for w in workers:
                w.check_alive()
        _wait(lambda: all(w.working() for w in workers), START_TIMEOUT_S, "every worker back")
        out.restart_to_commit_s = [s for w in workers for s in w.restart_to_commit()]
        run.stop_file.touch()
        for w in workers:
            assert w.proc is not None
            if w.proc.wait(START_TIMEOUT_S) != 0:
                w.fail()
    finally:
        run.stop_file.touch()
        for w in workers:  # only on a failure: our own children, by PID
            if w.proc is not None and w.proc.poll() is None:
                os.kill(w.proc.pid, signal.SIGKILL)
                w.proc.wait(30)
    out.duration_s = time.monotonic() - began
    db = Database.from_url(url, use_keyring=False)
    try:
        out.report = integrity.check(db, integrity.Records.read(folder), HALL, DISPENSERS)
    finally:
        db.dispose()
    return out


def _first_connection(url: str, accepted: list[float]) -> None:
    """Try to connect every 10 ms; append the moment the server first accepts."""
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            psycopg.connect(dsn, connect_timeout=2).close()
        except psycopg.OperationalError:
            time.sleep(0.01)
            continue
        accepted.append(time.monotonic())
        return


def _crash(
    server: Crashable,
    url: str,
    workers: list[_Worker],
    plan: Plan,
    out: Outcome,
    say: Callable[[str], object],
) -> None:
    """Crash the server while every worker works, restart it, and time each one back."""
    _wait(lambda: all(w.working() for w in workers), START_TIMEOUT_S, "every worker working")
    down = time.monotonic()
    server.crash()
    stopped = time.monotonic()
    time.sleep(plan.outage_s)
    accepted: list[float] = []
    poller = threading.Thread(target=_first_connection, args=(url, accepted), daemon=True)
    restart = time.monotonic()
    poller.start()
    server.restart()
    poller.join(START_TIMEOUT_S)
    if not accepted:
        raise ProbeError("the restarted server accepted no connection")
    ready = accepted[0]
    out.outage_s = ready - down
    out.server_start_s = ready - restart
    say(f"database crashed, up again after {out.outage_s:.2f} s")

    def back() -> bool:
        for w in workers:
            after = [t for t in w.commits() if t > stopped]
            w.check_alive()
            if not after:
                return False
            out.back_s[w.number] = max(0.0, after[0] - ready)  # ±10 ms poll
        return True

    _wait(back, START_TIMEOUT_S, "every worker back after the database restart")


def summary(o: Outcome) -> str:
    """The outcome in a few lines, as scripts/soak prints it."""
    r = o.report
    restarts = o.restart_to_commit_s
    lines = [
        f"{o.backend}: {o.plan.workers} workers, {o.kills} kill -9s, "
        f"{'1 server crash' if o.outage_s is not None else 'no server crash'}, "
        f"{o.duration_s:.1f} s",
        f"  tickets {r.tickets} (recorded issued {r.recorded_issued}), calls {r.calls} "
        f"(recorded {r.recorded_called}), done {r.done}, waiting {r.waiting}",
    ]
    if restarts:
        lines.append(
            f"  killed worker restarted → first commit: max {max(restarts):.2f} s "
            f"(a new Python process: imports, login, session)"
        )
    if o.outage_s is not None:
        back = ", ".join(f"{n}: {s:.3f}" for n, s in sorted(o.back_s.items()))
        verdict = "met" if (o.max_back_s or 0) <= BACK_GOAL_S else "MISSED"
        lines.append(
            f"  server down {o.outage_s:.2f} s (its restart {o.server_start_s:.2f} s); "
            f"clients back after it accepted connections (s) {back}"
        )
        lines.append(f"  max time back {o.max_back_s:.3f} s (goal ≤ {BACK_GOAL_S} s: {verdict})")
    lines.append("  integrity: " + ("OK" if not r.problems else "FAILED"))
    lines += [f"    {p}" for p in r.problems]
    return "\n".join(lines)
