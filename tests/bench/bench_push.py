"""Draining a station's outbox to the central PostgreSQL (issue 9).

    .venv/bin/python tests/bench/bench_push.py [--json] [--records N] [--batch B]

A central database (a throw-away PostgreSQL cluster, or `HALLDESK_BENCH_DATABASE_URL`)
with the demo hall and its book; a station cache (a SQLite file) holding a copy of the
hall, with the outbox capture on; clerk 1001 takes real payments at the cache (each
writes a payment, its allocations, its receipt print and an audit row: about four outbox
records) until the outbox holds N records (default 10,000). Then, timed:

- HallDesk: `push` in batches of B (default 500) until the outbox is empty: read the
  batch from the cache, one central transaction of `INSERT … ON CONFLICT DO NOTHING …
  RETURNING id` per table, the outbox trimmed in the cache;
- the baseline, in the same run, on a second central database prepared the same way: the
  very same rows (decoded from the same outbox before the push) inserted with a bare
  `executemany` per table through psycopg, in batches of B rows, one transaction a batch.

The ratio is bare time / HallDesk time (goal ≥ 0.5: HallDesk drains at least half as fast
as a bare bulk insert of its rows).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.models import Base  # noqa: E402
from app.models.db import Database  # noqa: E402
from app.services.sync.capture import OUTBOX, TABLE_ORDER  # noqa: E402
from app.services.sync.push import outbox_depth, push  # noqa: E402
from app.services.sync.rows import from_json  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402
from tests.unit.services.sync.sync_helpers import (  # noqa: E402
    REFERENCE,
    central_with_book,
    make_station,
)


def fill_outbox(central: Database, cache_path: Path, records: int) -> tuple[Database, float]:
    station = make_station(central, cache_path)
    actor = station.clerk()
    start = time.perf_counter()
    n = 0
    while outbox_depth(station.cache) < records:
        n += 1
        station.pay(actor, f"33{1 + n % 2000:08d}", "12.34", counter_number=1 + n % 6)
    return station.cache, time.perf_counter() - start


def saved_rows(cache: Database, batch: int) -> list[list[tuple[str, dict[str, Any]]]]:
    """The outbox's rows, decoded, in the batches the push will send them."""
    with cache.read() as s:
        records = s.execute(
            select(OUTBOX.c.table_name, OUTBOX.c.payload).order_by(OUTBOX.c.id)
        ).all()
    out = []
    for i in range(0, len(records), batch):
        out.append(
            [
                (r.table_name, from_json(Base.metadata.tables[r.table_name], r.payload))
                for r in records[i : i + batch]
            ]  # fmt: skip
        )
    return out


def bare_insert(url: str, batches: list[list[tuple[str, dict[str, Any]]]]) -> float:
    """The same rows by executemany per table, one transaction a batch, psycopg bare."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    start = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        for batch in batches:
            by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for name, row in batch:
                by_table[name].append(row)
            with conn.transaction(), conn.cursor() as cur:
                for name in sorted(by_table, key=TABLE_ORDER.__getitem__):
                    rows = by_table[name]
                    cols = list(rows[0])
                    sql = (
                        f"INSERT INTO {name} ({', '.join(cols)}) "
                        f"VALUES ({', '.join('%s' for _ in cols)})"
                    )
                    cur.executemany(sql, [tuple(r[c] for c in cols) for r in rows])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result: dict[str, object] = {"machine": lib.machine()}
    with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url_a, \
            lib.fresh_postgres_database(admin) as url_b:  # fmt: skip
        central = central_with_book(url_a, accounts=2000)
        with tempfile.TemporaryDirectory(prefix="halldesk-push-") as tmp:
            cache, fill_s = fill_outbox(central, Path(tmp) / "pc1.sqlite3", args.records)
            records = outbox_depth(cache)
            batches = saved_rows(cache, args.batch)
            # the baseline's database: the schema (with its change-log triggers, as at
            # the centre) and the same reference rows, so the same rows insert there
            lib.migrate(url_b)
            copy = Database.from_url(url_b, use_keyring=False)
            with central.read() as src, copy.write() as dst:
                for table in Base.metadata.sorted_tables:
                    if table.name in REFERENCE:
                        rows = [dict(r._mapping) for r in src.execute(select(table))]
                        if rows:
                            dst.execute(table.insert(), rows)
            copy.dispose()
            bare_s = bare_insert(url_b, batches)
            start = time.perf_counter()
            pushes = 0
            while push(cache, central, batch=args.batch).left:
                pushes += 1
            halldesk_s = time.perf_counter() - start
            cache.dispose()
        central.dispose()
    result.update(
        {
            "records": records,
            "batch": args.batch,
            "fill_s": round(fill_s, 2),
            "halldesk_s": round(halldesk_s, 3),
            "halldesk_records_per_s": round(records / halldesk_s),
            "bare_executemany_s": round(bare_s, 3),
            "bare_records_per_s": round(records / bare_s),
            "ratio_bare_over_halldesk": round(bare_s / halldesk_s, 2),
            "goal": ">= 0.5",
            "load_end": round(os.getloadavg()[0], 2),
        }
    )
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for key, value in result.items():
            if key != "machine":
                print(f"{key:26s} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
