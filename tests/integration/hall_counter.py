"""A station process of the hall-database test: a dispenser issuing tickets or a counter
calling them, on the hall database over the "LAN", while the centre is away.

    python -m tests.integration.hall_counter HALL_URL dispenser COUNT DONE_FILE
    python -m tests.integration.hall_counter HALL_URL counter:N DONE_FILE

The dispenser issues COUNT tickets (PAY, APPLY, ENQ in turn), then touches DONE_FILE. A
counter logs its clerk in (1000 + N), calls and finishes tickets until DONE_FILE exists
and nothing is left for it, then prints one JSON line: the ids of the tickets it called.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from app.models.db import Database
from app.services.hall_ref import HallDirectory
from app.services.queue.counters import CounterService
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService

HALL = "DEMO"
SERVICES = ("PAY", "APPLY", "ENQ")


def main(argv: list[str]) -> int:
    url, role, *rest = argv
    db = Database.from_url(url, use_keyring=False, pool_size=2)
    halls = HallDirectory(db)
    queue = QueueService(db, halls)
    if role == "dispenser":
        count, done = int(rest[0]), Path(rest[1])
        for n in range(count):
            queue.issue_ticket(HALL, SERVICES[n % len(SERVICES)])
            time.sleep(0.005)
        done.touch()
        print(json.dumps({"issued": count}), flush=True)
        return 0
    counter, done = int(role.split(":")[1]), Path(rest[0])
    auth = AuthService(db, station=f"PC{counter}")
    CounterService(db, halls, auth=auth).open_session(
        HALL, counter, auth.login(f"{1000 + counter}", "1234")
    )
    called: list[str] = []
    while True:
        finished = done.exists()  # read before the call: nothing issued after it is missed
        ticket = queue.call_next(HALL, counter)
        if ticket is None:
            if finished:
                break
            time.sleep(0.01)
            continue
        called.append(str(ticket.id))
        queue.finish(HALL, counter)
    print(json.dumps({"called": called}), flush=True)
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
