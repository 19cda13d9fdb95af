"""Initial sync benchmark (issue 9): a new station cache filled from the central database.

    .venv/bin/python tests/bench/bench_initial_sync.py [--json] [--accounts N]
                                                       [--bills N] [--batch N] [--changes N]

PostgreSQL: the server of `HALLDESK_BENCH_DATABASE_URL` (its user may create databases),
else a throw-away cluster (tests/pg_server.py). In a fresh, migrated database:

1. the hall of `ensure_demo_hall` (services, counters, staff; no demo book), then N accounts
   (default 200,000) of `demo_accounts.generate_accounts`, each with `--bills` bills
   (default 2: last two months, 400,000 bills), written with `COPY` (the change-log
   triggers fire, as they would for any import), then ANALYZE;
2. `initial_sync` into a new SQLite cache file (migrated, the outbox capture installed as
   a station runs it), batches of `--batch` rows (default 20,000, as a station copies):
   the wall time, rows per second and the time per table;
3. for information: one central transaction updates `--changes` bills (default 5,000), and
   `pull_all` brings them into the cache.

Goal: the initial sync under 60 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app.models import Hall  # noqa: E402
from app.models.db import Database  # noqa: E402
from app.services.simulation.demo_accounts import generate_accounts  # noqa: E402
from app.services.simulation.demo_hall import ensure_demo_hall  # noqa: E402
from app.services.sync.capture import install_capture  # noqa: E402
from app.services.sync.copy_progress import CopyProgress  # noqa: E402
from app.services.sync.initial import initial_sync  # noqa: E402
from app.services.sync.pull import pull_all  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

HALL = "BOOK"
ACCOUNT_COLUMNS = (
    "id, hall_id, account_number, name, address, phone, account_type, active, created_at"
)
BILL_COLUMNS = "id, account_id, period, usage_milli, usage_unit, amount_fen, due_date, issued_at"
CREATED = datetime(2025, 1, 1, tzinfo=UTC)
# the newest first: (period, due date, issued at)
PERIODS = [
    (f"2026-{m:02d}", date(2026, m + 1, 25), datetime(2026, m + 1, 3, tzinfo=UTC))
    for m in range(11, 0, -1)
]


def seed(db: Database, accounts: int, bills: int) -> dict[str, float]:
    """The hall and its book, written with COPY; seconds per step."""
    took: dict[str, float] = {}
    ensure_demo_hall(db, code=HALL, accounts=0)
    with db.read() as s:
        hall_id = s.scalars(select(Hall.id).where(Hall.code == HALL)).one()
    start = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        ids: list[uuid.UUID] = []
        with cur.copy(f"COPY customer_accounts ({ACCOUNT_COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for r in generate_accounts(accounts):
                ids.append(uuid.uuid4())
                copy.write_row(
                    (ids[-1], hall_id, r.account_number, r.name, r.address, r.phone)
                    + (r.account_type, r.active, CREATED)
                )
        with cur.copy(f"COPY bills ({BILL_COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for n, account_id in enumerate(ids):
                for period, due, issued in PERIODS[:bills]:
                    milli = 80_000 + n % 370_000
                    row = (uuid.uuid4(), account_id, period, milli, "kWh", milli * 538 // 10_000)
                    copy.write_row(row + (due, issued))
        raw.commit()
        took["copy_s"] = round(time.perf_counter() - start, 1)
        cur.execute("ANALYZE")
        raw.commit()
        cur.close()
    finally:
        raw.close()
    took["seed_s"] = round(time.perf_counter() - start, 1)
    return took


def uptime() -> str:
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def bench(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, object]:
    report: dict[str, object] = {}
    with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
        lib.migrate(url)
        central = Database.from_url(url, use_keyring=False)
        folder = Path(tempfile.mkdtemp(prefix="halldesk-bench-cache-"))
        cache = Database.from_url(f"sqlite:///{folder / 'station.sqlite3'}", use_keyring=False)
        try:
            log(f"seeding {args.accounts:,} accounts with {args.bills} bills each (COPY)")
            report["seed"] = seed(central, args.accounts, args.bills)
            lib.migrate(f"sqlite:///{folder / 'station.sqlite3'}")
            install_capture(cache)
            tables: dict[str, float] = {}
            last = [time.perf_counter()]

            def progress(done: CopyProgress) -> None:
                now = time.perf_counter()
                table = done.table
                tables[table] = round(tables.get(table, 0.0) + now - last[0], 2)
                last[0] = now
                if done.table_done == done.table_total:
                    log(f"{table}: {done.table_done:,} rows")

            report["uptime_before"] = uptime()
            log("initial sync")
            start = last[0] = time.perf_counter()
            result = initial_sync(central, cache, HALL, batch=args.batch, progress=progress)
            wall = time.perf_counter() - start
            report["uptime_after"] = uptime()
            report["initial_sync"] = {
                "rows": result.rows_copied,
                "batches": result.batches,
                "wall_s": round(wall, 1),
                "rows_per_s": round(result.rows_copied / wall),
                "table_s": tables,
                "cache_mib": round((folder / "station.sqlite3").stat().st_size / 2**20, 1),
            }
            if args.changes:
                log(f"updating {args.changes:,} bills at the centre, then pulling them")
                with central.write() as s:
                    s.execute(
                        text(
                            "UPDATE bills SET amount_fen = amount_fen + 1 WHERE id IN "
                            "(SELECT id FROM bills ORDER BY id LIMIT :n)"
                        ),
                        {"n": args.changes},
                    )
                start = time.perf_counter()
                pulled = pull_all(central, cache, HALL, limit=args.batch)
                wall = time.perf_counter() - start
                report["pull"] = {
                    "changes": pulled.changes_read,
                    "rows": pulled.rows_applied,
                    "wall_s": round(wall, 2),
                    "rows_per_s": round(pulled.rows_applied / wall),
                }
        finally:
            cache.dispose()
            central.dispose()
            shutil.rmtree(folder, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--accounts", type=int, default=200_000)
    p.add_argument("--bills", type=int, default=2, help="bills per account (at most 11)")
    p.add_argument("--batch", type=int, default=20_000, help="rows per cache transaction")
    p.add_argument("--changes", type=int, default=5000, help="bills changed, then pulled")
    args = p.parse_args(argv)
    if not 0 <= args.bills <= len(PERIODS):
        p.error(f"--bills: 0 to {len(PERIODS)}")
    logging.basicConfig(level=logging.WARNING)
    keyring.set_keyring(NullKeyring())

    def log(msg: str) -> None:
        print(f"  .. {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    report: dict[str, object] = {"machine": lib.machine(), "accounts": args.accounts}
    report["bills_per_account"] = args.bills
    report.update(bench(args, log))
    report["load_1min_end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        sync = report["initial_sync"]
        assert isinstance(sync, dict)
        print(
            f"initial sync: {sync['rows']:,} rows in {sync['wall_s']} s "
            f"({sync['rows_per_s']:,} rows/s, {sync['batches']} batches); "
            f"cache {sync['cache_mib']} MiB"
        )
        print(f"per table (s): {sync['table_s']}")
        if "pull" in report:
            print(f"pull: {report['pull']}")
        print(f"before: {report['uptime_before']}\nafter:  {report['uptime_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
