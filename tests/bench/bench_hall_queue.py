"""The queue on a hall database (issue 9): what the outbox triggers cost a queue step, and
how fast the hall server sends a day's queue rows to the centre.

    .venv/bin/python tests/bench/bench_hall_queue.py [--json] [--cycles N]

Two databases on one PostgreSQL (throw-away cluster, or `HALLDESK_BENCH_DATABASE_URL`),
each with the demo hall: "plain" as a central database has it, and "hall" made a hall
database (`install_hall_outbox`: every queue row written also goes to its outbox). In
each, four counters in four threads call and finish tickets a dispenser thread issues,
N cycles in all (default 400), back to back; the ratio of the two runs is the triggers'
cost. Then the hall's outbox (the whole run's queue rows) is pushed to the plain database
as the hall server does after the centre was away: records per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402

from app.bootstrap import Core  # noqa: E402
from app.services.simulation.demo_hall import ensure_demo_hall  # noqa: E402
from app.services.sync.hall import install_hall_outbox  # noqa: E402
from app.services.sync.push import drain, outbox_depth  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

HALL = "DEMO"
COUNTERS = (1, 2, 3, 4)
SERVICES = ("PAY", "APPLY", "ENQ")


def day(core: Core, cycles: int) -> dict[str, object]:
    """Issue `cycles` tickets while four counters call and finish them; call-next timed."""
    for n in COUNTERS:
        core.counters.open_session(HALL, n, core.auth.login(f"{1000 + n}", "1234"))
    issued = threading.Event()
    seconds: list[float] = []
    lock = threading.Lock()

    def dispenser() -> None:
        for n in range(cycles):
            core.queue.issue_ticket(HALL, SERVICES[n % len(SERVICES)])
        issued.set()

    def counter(number: int) -> None:
        while True:
            done = issued.is_set()
            ticket, took = lib.timed(lambda: core.queue.call_next(HALL, number))
            if ticket is None:
                if done:
                    return
                time.sleep(0.001)
                continue
            with lock:
                seconds.append(took)
            core.queue.finish(HALL, number)

    threads = [threading.Thread(target=dispenser)]
    threads += [threading.Thread(target=counter, args=(n,)) for n in COUNTERS]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    assert len(seconds) == cycles, (len(seconds), cycles)
    return {"call_next": asdict(lib.Latency.of(seconds, wall)), "cycles_per_s": cycles / wall}


def run(admin: str, cycles: int) -> dict[str, object]:
    result: dict[str, object] = {}
    with lib.fresh_postgres_database(admin) as plain, lib.fresh_postgres_database(admin) as hall:
        for name, url in (("plain", plain), ("hall", hall)):
            lib.migrate(url)
            with lib.open_core(url, pool_size=8) as core:
                ensure_demo_hall(core.db, accounts=0)
                if name == "hall":
                    install_hall_outbox(core.db)
                result[name] = day(core, cycles)
        with lib.open_core(hall, pool_size=2) as hall_core:
            records = outbox_depth(hall_core.db)
            # a centre that knows the hall's reference rows (the plain database has the
            # demo hall under other ids), as the hall's own centre does
            with lib.fresh_postgres_database(admin) as target:
                lib.migrate(target)
                with lib.open_core(target, pool_size=2) as centre:
                    _copy_reference(hall_core, centre)
                    _, took = lib.timed(lambda: drain(hall_core.db, centre.db))
        result["push"] = {
            "records": records,
            "seconds": round(took, 3),
            "records_per_s": round(records / took),
        }
    plain_rate = result["plain"]["cycles_per_s"]  # type: ignore[index]
    hall_rate = result["hall"]["cycles_per_s"]  # type: ignore[index]
    result["throughput_ratio"] = round(hall_rate / plain_rate, 3)
    return result


def _copy_reference(source: Core, target: Core) -> None:
    from app.services.sync.hall import REFERENCE
    from app.services.sync.pulled import TABLES

    with source.db.read() as s:
        rows = {n: [dict(r._mapping) for r in s.execute(TABLES[n].select())] for n in REFERENCE}
    with target.db.write() as s:
        for name in REFERENCE:
            if rows[name]:
                s.execute(TABLES[name].insert(), rows[name])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    keyring.set_keyring(NullKeyring())
    with lib.postgres_admin_url() as admin:
        result = {"machine": lib.machine(), **run(admin, args.cycles)}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    for name in ("plain", "hall"):
        r = result[name]
        assert isinstance(r, dict)
        lat = r["call_next"]
        print(
            f"{name:5}: {r['cycles_per_s']:.0f} cycles/s; call-next p50 {lat['p50_ms']} ms "
            f"p99 {lat['p99_ms']} ms"
        )
    print(f"hall / plain throughput: {result['throughput_ratio']}")
    push = result["push"]
    assert isinstance(push, dict)
    print(f"push of the day's {push['records']} queue records: {push['records_per_s']}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
