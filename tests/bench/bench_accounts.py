"""Account look-up benchmark (issue 8): `AccountsService.find` on a million accounts.

    .venv/bin/python tests/bench/bench_accounts.py [--json] [--accounts N] [--queries N]
                                                   [--no-sqlite] [--no-postgres]

PostgreSQL: the server of `HALLDESK_BENCH_DATABASE_URL` (its user may create databases),
else a throw-away cluster (tests/pg_server.py). In each database (migrated, a hall made by
`ensure_demo_hall` without its demo book):

1. write N accounts (default 1,000,000) of `demo_accounts.generate_accounts`, in bulk
   (SQLite: the driver's `executemany` in one transaction; PostgreSQL: `COPY`), then
   ANALYZE, as a database in service would be;
2. time `find` (one thread, a fresh read unit each call, as the counter calls it) for
   1,000 queries of each kind, drawn from the accounts written: a full account number, a
   phone number, a name prefix (the first two characters: surname and one more) and an
   address prefix (district and street, e.g. "西湖区文三路", ~20,000 accounts each);
   for information, a surname alone ("王", one character, ~25,000 accounts each).

Goal: p99 under 5 ms for every kind on both databases.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app.models import Hall  # noqa: E402
from app.models.db import Database  # noqa: E402
from app.services.billing.accounts import AccountsService  # noqa: E402
from app.services.hall_ref import HallDirectory  # noqa: E402
from app.services.simulation.demo_accounts import AccountRow, generate_accounts  # noqa: E402
from app.services.simulation.demo_hall import ensure_demo_hall  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

HALL = "BOOK"
COLUMNS = "id, hall_id, account_number, name, address, phone, account_type, active, created_at"
BATCH = 50_000
CREATED = datetime(2025, 1, 1, tzinfo=UTC)


def load_accounts(db: Database, hall_id: uuid.UUID, rows: list[AccountRow]) -> float:
    """Write `rows` in bulk, then ANALYZE; the seconds it took."""
    start = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.engine.dialect.name == "sqlite":
            cur.execute("PRAGMA cache_size=-400000")  # 400 MB while loading
            cur.execute("BEGIN")
            stamp = CREATED.replace(tzinfo=None).isoformat(" ", "microseconds")
            hall = hall_id.hex  # SQLAlchemy's Uuid on SQLite: 32 hex digits
            for i in range(0, len(rows), BATCH):
                cur.executemany(
                    f"INSERT INTO customer_accounts ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        (uuid.uuid4().hex, hall, r.account_number, r.name, r.address, r.phone)
                        + (r.account_type, int(r.active), stamp)
                        for r in rows[i : i + BATCH]
                    ],
                )
            cur.execute("COMMIT")
        else:
            with cur.copy(f"COPY customer_accounts ({COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for r in rows:
                    copy.write_row(
                        (uuid.uuid4(), hall_id, r.account_number, r.name, r.address, r.phone)
                        + (r.account_type, r.active, CREATED)
                    )
            raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
        cur.close()
    finally:
        raw.close()
    return time.perf_counter() - start


def queries(rows: list[AccountRow], n: int) -> dict[str, list[str]]:
    rng = random.Random(8)
    picked = [rows[rng.randrange(len(rows))] for _ in range(n)]
    return {
        "account_number": [r.account_number for r in picked],
        "phone": [r.phone for r in picked],
        "name_prefix": [r.name[:2] for r in picked],
        "surname": [r.name[:1] for r in picked],
        "address_prefix": [r.address[:6] for r in picked],
    }


def time_finds(find: Callable[[str], int], texts: list[str]) -> tuple[lib.Latency, float]:
    """Latency of each call, and the mean number of accounts returned."""
    took: list[float] = []
    found = 0
    wall = time.perf_counter()
    for q in texts:
        start = time.perf_counter()
        found += find(q)
        took.append(time.perf_counter() - start)
    return lib.Latency.of(took, time.perf_counter() - wall), round(found / len(texts), 1)


def bench_database(
    url: str, rows: list[AccountRow], args: argparse.Namespace, log: Callable[[str], None]
) -> dict[str, object]:
    lib.migrate(url)
    db = Database.from_url(url, use_keyring=False)
    try:
        ensure_demo_hall(db, code=HALL, accounts=0)
        with db.read() as s:
            hall_id = s.scalars(select(Hall.id).where(Hall.code == HALL)).one()
        log(f"loading {len(rows):,} accounts")
        load_s = load_accounts(db, hall_id, rows)
        with db.read() as s:
            count = s.execute(text("SELECT count(*) FROM customer_accounts")).scalar_one()
        service = AccountsService(db, HallDirectory(db))
        result: dict[str, object] = {"accounts": count, "load_s": round(load_s, 1)}
        warm = queries(rows, 50)
        for kind, texts in queries(rows, args.queries).items():
            for q in warm[kind]:
                service.find(HALL, q)
            log(f"find by {kind}")
            lat, mean = time_finds(lambda q: len(service.find(HALL, q)), texts)
            result[kind] = {**asdict(lat), "mean_found": mean}
        return result
    finally:
        db.dispose()


def table(report: dict[str, object]) -> str:
    lines = ["| find by | database | p50 ms | p95 ms | p99 ms | max ms | found (mean) |"]
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("account_number", "phone", "name_prefix", "address_prefix", "surname"):
        for backend in ("sqlite", "postgresql"):
            r = report.get(backend)
            if not isinstance(r, dict):
                continue
            f = r[kind]
            lines.append(
                f"| {kind} | {backend} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']}"
                f" | {f['max_ms']} | {f['mean_found']} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--accounts", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=1000, help="queries of each kind")
    p.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    keyring.set_keyring(NullKeyring())

    def log(msg: str) -> None:
        print(f"  .. {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    report: dict[str, object] = {"machine": lib.machine(), "accounts": args.accounts}
    start = time.perf_counter()
    rows = list(generate_accounts(args.accounts))
    report["generate_s"] = round(time.perf_counter() - start, 1)
    log(f"generated {len(rows):,} accounts in {report['generate_s']} s")
    if not args.no_sqlite:
        log("SQLite")
        with lib.fresh_sqlite_database() as url:
            report["sqlite"] = bench_database(url, rows, args, log)
    if not args.no_postgres:
        log("PostgreSQL")
        with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
            report["postgresql"] = bench_database(url, rows, args, log)
    report["load_1min_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
