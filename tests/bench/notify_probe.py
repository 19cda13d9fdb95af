"""What one listening session costs the centre per NOTIFY, for bench_stations.

PostgreSQL wakes every session that LISTENs in the database at every commit that sent a
NOTIFY, whatever the channel or payload; each reads the queue and passes on what it
listens to. So the centre's cost of the wake-ups grows with listeners × commits: with one
listener per hall, 1,000 listeners. Measured here: `commits` transactions, each with a
NOTIFY, at `rate` a second, with no session listening and with `listeners` sessions
listening (and reading, as a hall's relay does); the difference in the server's CPU,
per commit and listener.
"""

from __future__ import annotations

import selectors
import threading
import time
from typing import Any

import psycopg
from sqlalchemy import Engine

from tests.bench import benchlib as lib

CHANNEL = "halldesk_changes"


class Readers(threading.Thread):
    """Reads the notifications of many listening sessions in one thread."""

    def __init__(self, conns: list[psycopg.Connection[Any]]) -> None:
        super().__init__(daemon=True)
        self.conns, self.received, self.done = conns, 0, threading.Event()

    def run(self) -> None:
        with selectors.DefaultSelector() as sel:
            for conn in self.conns:
                sel.register(conn.fileno(), selectors.EVENT_READ, conn)
            while not self.done.is_set():
                for key, _ in sel.select(timeout=0.2):
                    pg = key.data.pgconn
                    pg.consume_input()
                    while pg.notifies() is not None:
                        self.received += 1


def _notify(conninfo: str, commits: int, rate: float) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        start = time.perf_counter()
        for n in range(commits):
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"probe-{n % 7}"))
            wait = start + (n + 1) / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)


def probe(
    engine: Engine, conninfo: str, listeners: int, commits: int, rate: float
) -> dict[str, Any]:
    """Server CPU for `commits` NOTIFYs with 0 and with `listeners` sessions listening."""
    cpu: dict[int, float] = {}
    delivered = 0
    for n in (0, listeners):
        conns = [psycopg.connect(conninfo, autocommit=True) for _ in range(n)]
        for conn in conns:
            conn.execute(f"LISTEN {CHANNEL}")
        readers = Readers(conns)
        readers.start()
        before = lib.postgres_cpu_s(engine) or 0.0
        _notify(conninfo, commits, rate)
        time.sleep(0.5)  # the last ones read
        cpu[n] = (lib.postgres_cpu_s(engine) or 0.0) - before
        readers.done.set()
        readers.join()
        delivered = readers.received
        for conn in conns:
            conn.close()
    extra = max(0.0, cpu[listeners] - cpu[0])
    return {
        "commits": commits,
        "rate_per_s": rate,
        "listeners": listeners,
        "delivered": delivered,
        "server_cpu_s_without": round(cpu[0], 3),
        "server_cpu_s_with": round(cpu[listeners], 3),
        "us_per_commit_and_listener": round(extra * 1e6 / (commits * max(listeners, 1)), 2),
    }
