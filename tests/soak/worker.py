"""One crash-probe client: a counter's PC that also issues tickets, in its own process.

    python -m tests.soak.worker --url URL --counter 2 --records w2.g0.jsonl --stop STOP

It builds its services with `build_core` as the application does, logs demo clerk
100<counter> in at its counter (a restarted worker finds its session open and keeps it,
current ticket included), then until the stop file appears issues tickets on two
dispensers' ranges, calls next and finishes, in a random mix with short random pauses.

After each step's commit has returned it appends a JSON line to its records file and
fsyncs it: what the database must hold afterwards, whenever the process is killed. A
step whose commit did not return is not recorded (it may or may not have been written;
either way the database must stay consistent). `database_unavailable` (the server is
down, or a SQLite writer waited too long) and the queue's other refusals are retried
after a short sleep; anything else ends the process with a traceback, which the probe
reports as a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.bootstrap import Core, build_core
from app.services.errors import DatabaseUnavailable, DomainError
from app.settings import DatabaseSettings, Settings

HALL = "DEMO"
PASSWORD = "1234"
SERVICES = ("PAY", "APPLY", "ENQ", "GREEN")
# Two dispensers on disjoint ranges, as two kiosks of one hall: each its own series.
DISPENSERS = {"D1": (1, 499), "D2": (500, 999)}
RETRY_S = 0.05  # after database_unavailable: short, so a client is back soon after an outage

T = TypeVar("T")


class Records:
    """The worker's append-only log of committed steps, one fsynced JSON line each."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def add(self, op: str, **fields: object) -> None:
        line = json.dumps({"op": op, "t": time.monotonic(), **fields}) + "\n"
        os.write(self._fd, line.encode())
        os.fsync(self._fd)


class Stopped(Exception):
    """The stop file appeared while a step was being retried."""


def _until_done(step: Callable[[], T], stop: Path) -> T:
    """`step`, retried while the database is unavailable."""
    while not stop.exists():
        try:
            return step()
        except DatabaseUnavailable:
            time.sleep(RETRY_S)
    raise Stopped


def _work(
    core: Core, counter: int, records: Records, stop: Path, rng: random.Random, pace: float
) -> None:
    staff = _until_done(lambda: core.auth.login(f"{1000 + counter}", PASSWORD), stop)
    _until_done(lambda: core.counters.open_session(HALL, counter, staff), stop)
    records.add("opened", counter=counter)
    while not stop.exists():
        roll = rng.random()
        try:
            if roll < 0.5:
                service = rng.choice(SERVICES)
                dispenser = rng.choice(tuple(DISPENSERS))
                issued = core.queue.issue_ticket(
                    HALL, service, dispenser=dispenser, number_range=DISPENSERS[dispenser]
                )
                t = issued.ticket
                records.add(
                    "issued",
                    id=str(t.id),
                    number=t.display_number,
                    service=service,
                    dispenser=dispenser,
                )
            elif roll < 0.85:
                called = core.queue.call_next(HALL, counter)
                if called is not None:
                    records.add(
                        "called", id=str(called.id), number=called.display_number, counter=counter
                    )
            else:
                done = core.queue.finish(HALL, counter)
                records.add("finished", id=str(done.id), counter=counter)
        except DatabaseUnavailable:
            time.sleep(RETRY_S)
            continue
        except DomainError as exc:  # nobody at the counter to finish, a full series: go on
            if exc.code not in ("no_current_ticket", "series_exhausted"):
                raise
        time.sleep(rng.uniform(0, 2 * pace))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--counter", type=int, required=True)
    p.add_argument("--records", type=Path, required=True)
    p.add_argument("--stop", type=Path, required=True, help="stop when this file exists")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pace", type=float, default=0.02, help="mean pause between steps, s")
    args = p.parse_args(argv)
    settings = Settings(database=DatabaseSettings(url=args.url))
    core = build_core(
        settings,
        data_dir=args.records.parent,
        demo=False,
        migrate=False,  # the probe migrated it; this process may start while the server is down
        pool_size=1,
        environ={},
    )
    try:
        _work(
            core,
            args.counter,
            Records(args.records),
            args.stop,
            random.Random(args.seed),
            args.pace,
        )
    except Stopped:
        pass
    finally:
        core.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
