"""A station process for the sync tests: it takes payments into its own SQLite cache while
its sync worker pushes them to the central database, through whatever link the test gives
it (a fault proxy, a server that crashes), and may be killed at any moment.

    python -m tests.integration.sync_station CENTRAL_URL CACHE PREFIX COUNT FIRST LAST SEED

The cache must hold the hall already (the test copies it). The station pays COUNT payments
in all (it counts what its cache committed before, so a restarted station goes on where
it was killed) on accounts FIRST..LAST of the demo book, touches CACHE.paid, then waits
until its outbox is empty and prints one JSON line: payments, the sum in fen, the outbox
depth.
"""

from __future__ import annotations

import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.models import Payment
from app.models.db import Database
from app.services.billing.payments import PaymentService
from app.services.hall_ref import HallDirectory
from app.services.security.auth import AuthService
from app.services.sync.capture import install_capture
from app.services.sync.push import outbox_depth
from app.services.sync.worker import SyncWorker

HALL = "DEMO"
DRAIN_TIMEOUT_S = 240


def main(argv: list[str]) -> int:
    central_url, cache_path, prefix, count, first, last, seed = argv
    cache = Database.from_url(f"sqlite:///{cache_path}", use_keyring=False)
    central = Database.from_url(central_url, use_keyring=False, pool_size=2)
    install_capture(cache)
    worker = SyncWorker(cache, central, interval=0.1, batch=50)
    worker.start()
    auth = AuthService(cache, station=prefix)
    billing = PaymentService(cache, HallDirectory(cache), auth, receipt_key=b"k" * 32)
    actor = auth.login("1001", "1234")
    with cache.read() as s:
        done = int(s.scalar(select(func.count()).select_from(Payment)) or 0)
    rng = random.Random(f"{seed}/{done}")
    for _ in range(done, int(count)):
        account = f"33{rng.randint(int(first), int(last)):08d}"
        amount = Decimal(rng.randint(100, 20_000)).scaleb(-2)
        method = rng.choice(("cash", "card", "qr"))
        billing.pay(
            actor,
            HALL,
            account,
            amount,
            method,
            tendered=amount if method == "cash" else None,
            reference="" if method == "cash" else f"R{rng.randrange(10**9)}",
            counter_number=1,
            station_prefix=prefix,
        )
        worker.wake()
    Path(f"{cache_path}.paid").touch()  # the test stops breaking the link once all have paid
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while outbox_depth(cache) and time.monotonic() < deadline:
        worker.wake()
        time.sleep(0.1)
    worker.stop()
    with cache.read() as s:
        n, total = s.execute(
            select(func.count(), func.coalesce(func.sum(Payment.amount_fen), 0))
        ).one()
    depth = outbox_depth(cache)
    print(json.dumps({"payments": int(n), "sum_fen": int(total), "outbox": depth}), flush=True)
    cache.dispose()
    central.dispose()
    return 0 if depth == 0 else 3


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
