"""Pushing the outbox to the central database: exactly once, whatever fails when.

One push sends the oldest `batch` outbox records in ONE central transaction, table by
table in foreign-key order, each row by `INSERT … ON CONFLICT DO NOTHING` keyed by the
UUID it was born with; only after that transaction committed are the records deleted from
the outbox (a second, local transaction). Every way it can break is a retry of the same
rows, which the centre answers with "already there":

- the link or the server fails before or during COMMIT: the outbox keeps the records; if
  the centre did commit (the reply was lost), the retry inserts nothing;
- the station dies after the centre committed but before the outbox was trimmed: the same;
- a record's row is at the centre already under another unique key (a second void of one
  payment, made at two stations while they were cut off): it is not inserted, and the
  push counts it as `refused` (logged);
- a bill paid at two stations while they were cut off: both payments stand, the surplus
  becomes credit and a conflict record, in the same transaction (`conflicts`).

Never "check, then insert". The central database may be PostgreSQL or, for tests and a
one-PC hall's tools, SQLite.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import Base
from app.models.db import Database
from app.services import errors
from app.services.sync.capture import OUTBOX, TABLE_ORDER
from app.services.sync.conflicts import lock_bills, settle_overpaid, touched_bills
from app.services.sync.hall import MIRRORED, mirror_rows, mirror_statement
from app.services.sync.overdrawn import flag_overdrawn, lock_accounts, paying_out
from app.services.sync.rows import from_json

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class PushResult:
    sent: int  # records the centre now has (inserted now or found there already)
    inserted: int  # rows this push inserted (as the driver counts them)
    refused: int  # rows another row with the same unique key kept out
    left: int  # records still in the outbox
    conflicts: int = 0  # bills found paid beyond their amount (credited, recorded)


def outbox_depth(cache: Database) -> int:
    with cache.read() as s:
        return int(s.scalar(select(func.count()).select_from(OUTBOX)) or 0)


def _insert(central: Database, table: Table) -> Any:
    make = pg_insert if central.dialect == "postgresql" else sqlite_insert
    return make(table).on_conflict_do_nothing()


def send_rows(
    central: Database, by_table: Mapping[str, list[dict[str, Any]]]
) -> tuple[int, int, int]:
    """The central transaction of a push: the rows of each table (decoded outbox records)
    inserted in foreign-key order, the bills they pay or whose payments they void and the
    accounts whose credit they pay out locked first and settled after; (inserted, refused,
    conflicts). `DatabaseUnavailable` when the centre cannot be reached (nothing is
    written)."""
    inserted = refused = 0
    with errors.database_reached(), central.write() as s:
        bill_ids = touched_bills(s, by_table)  # paid, or with a payment voided
        lock_bills(s, bill_ids)  # two pushes paying one bill take turns (see conflicts)
        accounts = paying_out(s, by_table)  # credit paid out: refunds, voids
        lock_accounts(s, accounts)  # two pushes paying it out take turns (see overdrawn)
        for name in sorted(by_table, key=TABLE_ORDER.__getitem__):
            table = Base.metadata.tables[name]
            rows = by_table[name]
            if name in MIRRORED:  # a hall database's queue rows: the hall's version wins
                rows = mirror_rows(name, rows)
                s.execute(mirror_statement(table, central.dialect), rows)
                inserted += len(rows)
                continue
            result = cast(CursorResult[Any], s.execute(_insert(central, table), rows))
            count = max(0, result.rowcount or 0)
            inserted += count
            if count < len(rows):
                # every row must be there now, inserted by this push or an earlier one; one
                # that is not was kept out by another unique key (a conflict)
                sent = [r["id"] for r in rows]
                there = set(s.scalars(select(table.c.id).where(table.c.id.in_(sent))).all())
                if len(there) < len(sent):
                    gone = set(sent) - there
                    refused += len(gone)
                    log.warning("push: %s rows refused by the centre: %s", name, gone)
        now = datetime.now(UTC)
        conflicts = settle_overpaid(s, bill_ids, now)
        conflicts += flag_overdrawn(s, accounts, now)
    return inserted, refused, conflicts


def push(cache: Database, central: Database, *, batch: int = DEFAULT_BATCH) -> PushResult:
    """Send the oldest `batch` outbox records (see the module docstring);
    `DatabaseUnavailable` when the centre cannot be reached (the records stay)."""
    with cache.read() as s:
        records = s.execute(
            select(OUTBOX.c.id, OUTBOX.c.table_name, OUTBOX.c.row_id, OUTBOX.c.payload)
            .order_by(OUTBOX.c.id)
            .limit(batch)
        ).all()
    if not records:
        return PushResult(0, 0, 0, 0)
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        table = Base.metadata.tables[r.table_name]
        by_table[r.table_name].append(from_json(table, r.payload))
    inserted, refused, conflicts = send_rows(central, by_table)
    ids = [r.id for r in records]
    with cache.write() as s:
        s.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(ids)))
        left = 0
        if len(records) == batch:  # a short batch was the whole outbox
            left = int(s.scalar(select(func.count()).select_from(OUTBOX)) or 0)
    return PushResult(len(records), inserted, refused, left, conflicts)


def drain(cache: Database, central: Database, *, batch: int = DEFAULT_BATCH) -> int:
    """Push until the outbox is empty; the records sent."""
    sent = 0
    while True:
        result = push(cache, central, batch=batch)
        sent += result.sent
        if result.left == 0:
            return sent
