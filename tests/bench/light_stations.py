"""Light cached stations, hundreds to a process, for bench_stations (issue 9, "past one
machine"): what the centre sees of a station, without the station's SQLite cache.

    python -m tests.bench.light_stations < config.json     (started by bench_stations)

Each station has its own engine and its own client connection to PgBouncer (in the
"direct" mode: a new PostgreSQL session for every unit of work) and does what
`SyncWorker` and `Puller` do, with the very same central calls: when woken or after
`interval` s it pushes its outbox (`send_rows`: a payment, its allocation, its receipt
print and its audit row in one transaction, the bill locked first), pulls its hall's
changes after its cursor (`read_changes` and `plan_merge`: the REPEATABLE READ snapshot
and the fetch of the named rows; only the write into a cache is left out), reports how
far it has read (`report_cursor`, at most every `report_every` s) and prunes its hall's
log (`prune_change_log`, every `prune_every` s from a random start). A clerk pays every
`pay_every` s on average (exponential gaps), which wakes the station as a commit in the
cache wakes its worker. One `ChangeListener` per hall, straight to PostgreSQL, wakes the
hall's stations, as the hall's relay PC would over the LAN; a pull that finds its hall's
changes held behind an older open writer is repeated after 50 ms, doubling up to 0.8 s,
as the Puller does. `threads` threads run the stations' rounds, a round at a time per
station, another round at once when woken while busy (as the worker's Event does).
Station names are unique across halls, as receipt prefixes must be.

Prints "ready" when every station has connected and pulled once, waits for "go" on
stdin, runs `seconds`, and prints one JSON line of counts and timings.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import queue
import random
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.models.db import Database
from app.models.idle_ping import IdlePing
from app.services.sync.listen import ChangeListener
from app.services.sync.prune import prune_change_log, read_to, report_cursor
from app.services.sync.pull import plan_merge, read_changes
from app.services.sync.pulled import central_snapshot
from app.services.sync.push import send_rows


@dataclass
class Station:
    name: str
    prefix: str
    hall: dict[str, Any]
    counter: int
    db: Database
    cursor: tuple[int, int]
    rng: random.Random
    outbox: list[tuple[uuid.UUID, float, dict[str, list[dict[str, Any]]]]] = field(
        default_factory=list
    )
    receipts: int = 0
    state: str = "idle"  # idle, queued, running
    again: bool = False
    next_poll: float = 0.0
    reported: tuple[int, int] | None = None
    reported_at: float = -1e9
    pruned_at: float = 0.0
    held_delay: float = 0.0  # pulling again this soon: a change waits behind an older writer


class Stations:
    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.lock = threading.Lock()
        self.ready: queue.SimpleQueue[Station | None] = queue.SimpleQueue()
        self.timers: list[tuple[float, int, str, Station]] = []
        self.seq = itertools.count()
        self.committed: dict[uuid.UUID, tuple[float, float, str]] = {}  # paid, pushed, by
        self.counts: Counter[str] = Counter()
        self.timings: dict[str, list[float]] = {
            k: [] for k in ("push_ms", "pull_ms", "pushed_to_pulled_ms", "paid_to_pulled_ms")
        }
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.measuring = False
        self.armed = False  # the listeners' wake-ups passed on
        self.stations = [self._station(h, k) for h in cfg["halls"] for k in range(cfg["per_hall"])]
        self.by_hall: dict[str, list[Station]] = {}
        for st in self.stations:
            self.by_hall.setdefault(st.hall["code"], []).append(st)

    def _station(self, hall: dict[str, Any], k: int) -> Station:
        if self.cfg["mode"] == "direct":  # a new PostgreSQL session for every unit of work
            db = self._direct()  # (an engine holds no session here: one for all)
        else:
            db = Database.from_url(self.cfg["url"], use_keyring=False, pool_size=1, pgbouncer=True)
        code = hall["code"]
        rng = random.Random(f"{code}-{k}")
        start = (int(self.cfg["cursor"][0]), int(self.cfg["cursor"][1]))
        return Station(
            f"{code}-PC{k + 1:02d}",
            f"{code}PC{k + 1:02d}{self.cfg['run']}",
            hall,
            k + 1,
            db,
            start,
            rng,
            pruned_at=time.monotonic(),
        )

    _shared: Database | None = None

    def _direct(self) -> Database:
        if self._shared is None:
            url = make_url(self.cfg["url"]).set(drivername="postgresql+psycopg")
            args = {"connect_timeout": 10, "application_name": "halldesk"}
            self._shared = Database(create_engine(url, poolclass=NullPool, connect_args=args))
        return self._shared

    # ------------------------------------------------------------ scheduling
    def kick(self, st: Station) -> None:
        with self.lock:
            if st.state == "idle":
                st.state = "queued"
                self.ready.put(st)
            elif st.state == "running":
                st.again = True

    def at(self, when: float, kind: str, st: Station) -> None:
        with self.lock:
            heapq.heappush(self.timers, (when, next(self.seq), kind, st))

    def scheduler(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            due = []
            with self.lock:
                while self.timers and self.timers[0][0] <= now:
                    due.append(heapq.heappop(self.timers))
            for when, _, kind, st in due:
                if kind == "pay":
                    self.pay(st)
                    self.at(now + st.rng.expovariate(1 / self.cfg["pay_every"]), "pay", st)
                elif when == st.next_poll:  # not superseded by a later round
                    self.kick(st)
            time.sleep(0.01)

    def worker(self) -> None:
        while True:
            st = self.ready.get()
            if st is None:
                return
            if self.stop.is_set():  # the run is over: what waits is not done
                continue
            with self.lock:
                st.state = "running"
            try:
                self.round(st)
            except Exception as exc:  # the centre refused or failed: counted, retried
                self.count("errors", 1)
                if len(self.errors) < 5:
                    self.errors.append("".join(traceback.format_exception_only(exc)).strip())
            with self.lock:
                if st.again and not self.stop.is_set():
                    st.again, st.state = False, "queued"
                    self.ready.put(st)
                else:
                    st.again, st.state = False, "idle"
                    st.next_poll = time.monotonic() + (st.held_delay or self.cfg["interval"])
                    heapq.heappush(self.timers, (st.next_poll, next(self.seq), "poll", st))

    # ------------------------------------------------------------ a station's work
    def pay(self, st: Station) -> None:
        """A clerk's payment, committed in the cache: its rows wait in the outbox."""
        hall = st.hall
        account, bill = st.rng.choice(hall["accounts"])
        st.receipts += 1
        pid, now = uuid.uuid4(), datetime.now(UTC)
        number = f"{st.prefix}-{st.receipts:08d}"
        rows = {
            "payments": [
                {
                    "id": pid,
                    "hall_id": uuid.UUID(hall["id"]),
                    "station": st.name,
                    "counter_number": st.counter,
                    "staff_id": uuid.UUID(hall["clerk"]),
                    "ticket_id": None,
                    "account_id": uuid.UUID(account),
                    "method": "cash",
                    "amount_fen": 1000,
                    "tendered_fen": 1000,
                    "change_fen": 0,
                    "reference": "",
                    "receipt_number": number,
                    "created_at": now,
                }
            ],
            "payment_allocations": [
                {
                    "id": uuid.uuid4(),
                    "payment_id": pid,
                    "bill_id": uuid.UUID(bill),
                    "amount_fen": 1000,
                    "late_fee_fen": 0,
                }
            ],
            "receipt_prints": [
                {
                    "id": uuid.uuid4(),
                    "receipt_number": number,
                    "payment_id": pid,
                    "copy": False,
                    "printed_at": now,
                    "staff_id": uuid.UUID(hall["clerk"]),
                }
            ],
            "audit_log": [
                {
                    "id": uuid.uuid4(),
                    "at": now,
                    "staff_id": uuid.UUID(hall["clerk"]),
                    "job_number": hall["job"],
                    "role": "clerk",
                    "station": st.name,
                    "action": "payment",
                    "record_type": "payment",
                    "record_id": str(pid),
                    "detail": "{}",
                }
            ],
        }
        with self.lock:
            st.outbox.append((pid, time.monotonic(), rows))
        self.count("payments", 1)
        self.kick(st)

    def round(self, st: Station) -> None:
        with self.lock:
            sending, st.outbox = st.outbox, []
        if sending:
            by_table: dict[str, list[dict[str, Any]]] = {}
            for _pid, _paid, rows in sending:
                for name, part in rows.items():
                    by_table.setdefault(name, []).extend(part)
            t0 = time.perf_counter()
            try:
                send_rows(st.db, by_table)
            except Exception:
                with self.lock:  # not sent: back to the outbox, as the cache keeps it
                    st.outbox[:0] = sending
                raise
            pushed = time.monotonic()
            self.note("push_ms", (time.perf_counter() - t0) * 1000)
            self.count("pushes", 1)
            with self.lock:
                for pid, paid, _rows in sending:
                    self.committed[pid] = (paid, pushed, st.name)
        while True:
            t0 = time.perf_counter()
            with central_snapshot(st.db) as conn:
                changes = read_changes(conn, st.hall["code"], st.cursor)
                if changes.rows:
                    plan_merge(conn, changes)
            self.note("pull_ms", (time.perf_counter() - t0) * 1000)
            self.count("pulls", 1)
            self.count("changes_read", len(changes.rows))
            if not changes.rows:
                self.count("empty_pulls", 1)
            now = time.monotonic()
            for change in changes.rows:
                if change.table_name != "payments":
                    continue
                with self.lock:
                    seen = self.committed.get(change.row_id)
                if seen is not None and seen[2] != st.name:
                    self.note("pushed_to_pulled_ms", (now - seen[1]) * 1000)
                    self.note("paid_to_pulled_ms", (now - seen[0]) * 1000)
            st.cursor = changes.end
            if not changes.more:
                break
        if changes.held:  # as the Puller: again after 50 ms, doubling up to 0.8 s
            self.count("held_pulls", 1)
            st.held_delay = min(st.held_delay * 2, 1.6) if st.held_delay else 0.05
            st.held_delay = 0.0 if st.held_delay > 0.8 else st.held_delay
        else:
            st.held_delay = 0.0
        reach = read_to(st.cursor, changes.horizon)
        if reach != st.reported and now - st.reported_at >= self.cfg["report_every"]:
            report_cursor(st.db, st.name, st.hall["code"], reach)
            st.reported, st.reported_at = reach, now
            self.count("reports", 1)
        if now - st.pruned_at >= self.cfg["prune_every"]:
            st.pruned_at = now
            self.count("prunes", 1)
            self.count("pruned_rows", prune_change_log(st.db, st.hall["code"]).deleted)

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def note(self, key: str, value: float) -> None:
        if self.measuring:
            self.timings[key].append(value)

    def pings(self) -> int:
        return sum((p.pings if (p := IdlePing.of(st.db.engine)) else 0) for st in self.stations)


def main() -> int:
    cfg = json.loads(sys.stdin.readline())
    sim = Stations(cfg)
    threads = [threading.Thread(target=sim.worker, daemon=True) for _ in range(cfg["threads"])]
    for t in threads:
        t.start()
    listeners = []
    for code, stations in sim.by_hall.items():
        fan_out = list(stations)
        listener = ChangeListener(
            make_url(cfg["listen_url"]).set(drivername="postgresql+psycopg"),
            lambda group=fan_out: sim.armed and [sim.kick(st) for st in group],  # type: ignore[misc]
            hall=code,
            poll_s=0.5,
        )
        listener.start()  # (its wake-up on connecting is not passed on: not armed yet)
        listeners.append(listener)
    for listener in listeners:
        listener.connected.wait(30)
    if cfg["mode"] != "direct":  # each station's own engine: connected, pulled once
        for st in sim.stations:
            sim.kick(st)
        while any(st.state != "idle" for st in sim.stations):
            time.sleep(0.05)
    sim.counts.clear()
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    start = time.monotonic()
    cpu0 = time.process_time()
    pings0 = sim.pings()
    for st in sim.stations:  # polls, reports, prunes and payments spread over their periods
        st.reported, st.reported_at = st.cursor, start - st.rng.uniform(0, cfg["report_every"])
        st.pruned_at = start - st.rng.uniform(0, cfg["prune_every"])
        st.next_poll = start + st.rng.uniform(0, cfg["interval"])
        sim.at(st.next_poll, "poll", st)
        sim.at(start + st.rng.expovariate(1 / cfg["pay_every"]), "pay", st)
    sim.measuring = sim.armed = True
    scheduler = threading.Thread(target=sim.scheduler, daemon=True)
    scheduler.start()
    time.sleep(max(0.0, start + cfg["seconds"] - time.monotonic()))
    sim.measuring = False
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu0
    counts = dict(sim.counts)
    counts["idle_pings"] = sim.pings() - pings0
    counts["listener_notifications"] = sum(x.notifications for x in listeners)
    counts["listener_wakes"] = sum(x.wakes for x in listeners)
    sim.stop.set()
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "counts": counts,
                "timings": sim.timings,
                "errors": sim.errors,
            }
        ),
        flush=True,
    )
    os._exit(0)  # the sessions, the listeners and 750 engines end with the process


if __name__ == "__main__":
    raise SystemExit(main())
