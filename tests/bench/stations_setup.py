"""The central database of bench_stations: the halls, the stations registered as after
their first copy, and a throw-away cluster that allows enough sessions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url

from app.models import Bill, CustomerAccount, Hall, Staff, SyncStation
from app.models.db import Database
from app.services.sync.prune import prune_change_log

ACCOUNTS = 30  # a hall's accounts, each with a bill (paid in small parts, never overpaid)


def make_halls(db: Database, halls: int) -> list[dict[str, Any]]:
    """H001..Hnnn, each with a clerk and ACCOUNTS accounts with a bill."""
    out: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    rows: dict[Any, list[dict[str, Any]]] = {Hall: [], Staff: [], CustomerAccount: [], Bill: []}
    for h in range(1, halls + 1):
        code, hall_id, clerk = f"H{h:03d}", uuid.uuid4(), uuid.uuid4()
        rows[Hall].append({"id": hall_id, "code": code, "name_zh": code, "name_en": code})
        job = f"7{h:04d}"
        rows[Staff].append(
            {
                "id": clerk,
                "hall_id": hall_id,
                "job_number": job,
                "name": job,
                "role": "clerk",
                "password_hash": "-",
            }
        )
        accounts = []
        for a in range(ACCOUNTS):
            account, bill = uuid.uuid4(), uuid.uuid4()
            rows[CustomerAccount].append(
                {
                    "id": account,
                    "hall_id": hall_id,
                    "account_number": f"55{a:08d}",
                    "name": f"户{a}",
                    "created_at": now,
                }
            )
            rows[Bill].append(
                {
                    "id": bill,
                    "account_id": account,
                    "period": "2026-11",
                    "amount_fen": 10**12,
                    "due_date": date(2026, 12, 31),
                    "issued_at": now,
                }
            )
            accounts.append([str(account), str(bill)])
        out.append(
            {
                "code": code,
                "id": str(hall_id),
                "clerk": str(clerk),
                "job": job,
                "accounts": accounts,
            }
        )
    with db.write() as s:
        for model, part in rows.items():
            s.execute(insert(model), part)
    return out


def register(db: Database, halls: list[dict[str, Any]], per_hall: int) -> tuple[int, int]:
    """Every station at the centre as after its first copy (cursor: now's xmin), and the
    change log pruned empty; the stations' start cursor."""
    with db.read() as s:
        xmin = int(s.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")))
    rows = [
        {
            "station": f"{h['code']}-PC{k + 1:02d}",
            "hall_code": h["code"],
            "txid": xmin,
            "change_id": 0,
            "seen_at": datetime.now(UTC),
        }
        for h in halls
        for k in range(per_hall)
    ]
    stmt = pg_insert(SyncStation)
    stmt = stmt.on_conflict_do_update(
        index_elements=["station"], set_={"txid": stmt.excluded.txid, "change_id": 0}
    )
    with db.write() as s:
        s.execute(stmt, rows)
    prune_change_log(db)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))  # not autovacuum's work in the middle of a run
    return (xmin, 0)


@contextmanager
def central_server(needed: int) -> Iterator[str]:
    """`HALLDESK_BENCH_DATABASE_URL`, or a throw-away cluster allowing `needed` sessions."""
    from tests.pg_server import PgServer

    given = os.environ.get("HALLDESK_BENCH_DATABASE_URL")
    if given:
        yield given
        return
    pg = PgServer()
    url = pg.start()
    try:
        if needed > 190:  # the cluster starts with 200
            admin = create_engine(
                make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as c:
                c.execute(text(f"ALTER SYSTEM SET max_connections = {needed + 20}"))
            admin.dispose()
            pg.restart()
        yield url
    finally:
        pg.stop()
