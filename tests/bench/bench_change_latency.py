"""A change made at one station, visible at another (issue 9): p50/p99 with NOTIFY.

    .venv/bin/python tests/bench/bench_change_latency.py [--json] [--changes N]

A central PostgreSQL (throw-away cluster, or `HALLDESK_BENCH_DATABASE_URL`) with the demo
hall and a book of 500 accounts; two cached stations built as the application builds
them (`[sync] mode = "cached"`, a poll interval of 30 s so that only NOTIFY can make it
fast). Station A takes a payment; timed from the moment its `pay` returned (committed in
A's cache) until the payment is in B's cache: A's worker is woken and pushes, the centre's
trigger sends NOTIFY, B's listener wakes B's worker, which pulls. N payments (default 40),
one at a time. Goal: under 1 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402

from app.bootstrap import build_core, cashier_desk  # noqa: E402
from app.models import Payment  # noqa: E402
from app.services.desks.cashier import PayRequest  # noqa: E402
from app.settings import SyncSettings  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.unit.services.sync.sync_helpers import central_with_book  # noqa: E402


def run(url: str, changes: int, tmp: Path) -> dict[str, object]:
    central_with_book(url, accounts=500).dispose()
    cores = []
    for name in ("PC-A", "PC-B"):
        settings = replace(
            make_settings(url, name=name), sync=SyncSettings(mode="cached", interval_s=30.0)
        )
        cores.append(build_core(settings, data_dir=tmp / name, receipt_key=b"k" * 32))
    a, b = cores
    assert a.cached is not None and b.cached is not None
    desk = cashier_desk(a)
    actor = a.auth.login("1001", "1234")
    time.sleep(1.0)  # both listeners connected
    seconds = []
    start_all = time.perf_counter()
    for n in range(1, changes + 1):
        request = PayRequest(f"33{n:08d}", Decimal("10.00"), "cash", tendered=Decimal("10.00"))
        paid = desk.pay(actor, 1, request).result
        t0 = time.perf_counter()
        while True:
            with b.cached.cache.read() as s:
                if s.get(Payment, paid.payment_id) is not None:
                    break
            if time.perf_counter() - t0 > 30:
                raise SystemExit("bench_change_latency: a change did not arrive in 30 s")
            time.sleep(0.002)
        seconds.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start_all
    for core in cores:
        core.close()
    return asdict(lib.Latency.of(seconds, wall))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    keyring.set_keyring(NullKeyring())
    result: dict[str, object] = {"machine": lib.machine()}
    with (
        lib.postgres_admin_url() as admin,
        lib.fresh_postgres_database(admin) as url,
        tempfile.TemporaryDirectory(prefix="halldesk-latency-") as tmp,
    ):
        result["station_to_station"] = run(url, args.changes, Path(tmp))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        lat = result["station_to_station"]
        assert isinstance(lat, dict)
        print(f"station A paid → in station B's cache, {lat['n']} changes:")
        p50, p95, p99, top = lat["p50_ms"], lat["p95_ms"], lat["p99_ms"], lat["max_ms"]
        print(f"  p50 {p50} ms  p95 {p95} ms  p99 {p99} ms  max {top} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
