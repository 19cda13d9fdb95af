"""Pulling the central change log into a station's cache, after a cursor that cannot skip.

The triggers of migrations 0007 and 0013 write one `change_log` row per changed row of a
pulled table, in the writer's transaction, with that transaction's id (`txid`) and the
row's hall. Ids are handed
out when a transaction first writes, not when it commits, so the log fills out of order:
A takes txid 100 and inserts, B takes 101, inserts and commits, and only then A commits.
A reader that saw B's row and moved its cursor past (101, …) would never see A's.

So a pull reads only `txid < pg_snapshot_xmin(pg_current_snapshot())`: every transaction
below the snapshot's xmin has finished (committed, and visible to that snapshot, or rolled
back), so no row can appear later below the cursor it stores. A transaction that started
before the pull and commits after has a txid at or above xmin, and waits for the next
pull. The xmin and the rows must come from one snapshot: read in two READ COMMITTED
statements, the xmin could be taken after A committed while the rows were read before,
and the cursor would pass A unread. Here everything is read inside one REPEATABLE READ
read-only transaction, whose first statement takes the snapshot and its xmin with the
hall's id, and which also reads the changed rows themselves, so the cache gets one
consistent state of the centre (a parent and its children as they were together). A
long open transaction at the centre holds every pull behind it: the price of never
skipping.

A station reads its own hall's changes and those logged for every hall (halls, staff:
migration 0013), two ranges of the index on (hall_id, txid, id), so what one pull costs
does not grow with the number of halls. A pull that left nothing behind also says up to
where the station has read everything of its hall (`horizon`: every transaction below
that xmin), which the station reports for the pruning even while its hall is quiet.

A wake-up can come before its change can be read: the NOTIFY is sent at its commit, but
an older writer still open (another station's push, a cursor report) holds the xmin
below it. The pull then says so (`held`: committed changes of the hall at or above the
xmin), and the station pulls again shortly instead of at its next poll.

A batch holds whole transactions (the first `limit` changes, and the rest of the last
transaction among them), so a station never sees half of what the centre committed
together. The rows are written, and the new cursor stored, in ONE cache transaction: a
failure in between leaves both as they were and the next pull reads the same changes
again. Applying a change means writing the row as the centre has it now (or deleting
it), never replaying a delta, so a change read twice does no harm. See
app.services.sync.merge for what is written.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, text

from app.models.db import Database
from app.services import errors
from app.services.errors import DomainError
from app.services.sync.merge import Merge
from app.services.sync.pulled import (
    INIT_COMPLETE,
    PULLED,
    SyncSetupError,
    central_snapshot,
    init_marker_name,
    pull_cursor_name,
    read_cursor,
    require_stores,
    store_cursor,
)

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 5000

# the hall, the xmin of the snapshot this (first) statement of the transaction takes, and
# whether changes of the hall are committed but held behind an older open transaction
HALL_AND_HORIZON = text(
    """
    SELECT h.id, s.xmin,
        EXISTS (SELECT 1 FROM change_log c WHERE c.hall_id = h.id AND c.txid >= s.xmin)
        OR EXISTS (SELECT 1 FROM change_log c WHERE c.hall_id IS NULL AND c.txid >= s.xmin)
        AS held
    FROM halls h, (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin) s
    WHERE h.code = :code
    """
)


def _mine(columns: str, where: str, order: str = "") -> str:
    """The hall's changes and the every-hall ones: two ranges of (hall_id, txid, id)."""
    parts = [
        f"(SELECT {columns} FROM change_log WHERE {hall} AND {where} {order})"
        for hall in ("hall_id = :hall_id", "hall_id IS NULL")
    ]
    return " UNION ALL ".join(parts)


AFTER = "(txid, id) > (:txid, :change_id) AND txid < :xmin"
# the first `limit` finished changes after the cursor, and the rest of the last transaction
CHANGES = text(
    f"""
    WITH head AS (
        SELECT txid FROM ({_mine("txid, id", AFTER, "ORDER BY txid, id LIMIT :limit")}) h
        ORDER BY txid, id LIMIT :limit
    )
    SELECT id, txid, table_name, row_id FROM (
        {_mine("id, txid, table_name, row_id", AFTER + " AND txid <= (SELECT max(txid) FROM head)")}
    ) c
    ORDER BY txid, id
    """
)
MORE = text(f"SELECT EXISTS ({_mine('1', AFTER, 'LIMIT 1')})")


@dataclass(frozen=True, slots=True)
class PullResult:
    rows_applied: int  # cache rows written or deleted
    changes_read: int  # change-log rows read (the hall's and the every-hall ones)
    cursor: tuple[int, int]  # (txid, change id) of the last change read
    more: bool  # finished changes wait after the cursor: pull again
    # every change of the hall by a transaction below this txid has been read (0: unknown)
    horizon: int = 0
    # changes of the hall are committed but wait for an older transaction: pull again soon
    held: bool = False


@dataclass(frozen=True, slots=True)
class Changes:
    """What one pull read at the centre, in its snapshot."""

    hall_id: uuid.UUID
    rows: list[Row[Any]]  # (id, txid, table_name, row_id), in log order
    end: tuple[int, int]  # the cursor after them (the start when there are none)
    more: bool
    horizon: int  # the snapshot's xmin when nothing is left behind, else 0
    held: bool  # committed changes wait behind an older open transaction


def read_changes(
    conn: Connection, hall_code: str, start: tuple[int, int], *, limit: int = DEFAULT_LIMIT
) -> Changes:
    """In the caller's central snapshot (its first statement): the hall's next finished
    changes after `start`, whole transactions (see the module docstring)."""
    hall = conn.execute(HALL_AND_HORIZON, {"code": hall_code}).first()
    if hall is None:
        raise DomainError(errors.UNKNOWN_HALL, f"no hall '{hall_code}' at the centre")
    params = {"hall_id": hall.id, "xmin": int(hall.xmin), "txid": start[0], "change_id": start[1]}
    rows = list(conn.execute(CHANGES, {**params, "limit": limit}).all())
    if not rows:
        return Changes(hall.id, [], start, False, int(hall.xmin), bool(hall.held))
    end = (int(rows[-1].txid), int(rows[-1].id))
    # fewer than `limit` rows: the head did not fill up, every finished change was read
    more = len(rows) >= limit and bool(
        conn.scalar(MORE, {**params, "txid": end[0], "change_id": end[1]})
    )
    return Changes(hall.id, rows, end, more, 0 if more else int(hall.xmin), bool(hall.held))


def plan_merge(conn: Connection, changes: Changes) -> Merge:
    """A merge of the rows the changes name, read from the centre in the same snapshot."""
    merge = Merge(conn, changes.hall_id)
    named: dict[str, set[uuid.UUID]] = defaultdict(set)
    for change in changes.rows:
        named[change.table_name].add(change.row_id)
    for table in set(named) - set(PULLED):
        log.warning("pull: change log names table %s, which this schema does not pull", table)
    for table in PULLED:
        if named.get(table):
            merge.fetch(table, named[table])
    return merge


def pull_changes(
    central: Database, cache: Database, hall_code: str, *, limit: int = DEFAULT_LIMIT
) -> PullResult:
    """Apply the next finished changes of the central change log to the station's cache
    (see the module docstring). `SyncSetupError` for a central database that is not
    PostgreSQL or a cache whose initial sync has not finished; `DatabaseUnavailable` when
    the centre cannot be reached (nothing changes)."""
    require_stores(central, cache)
    name = pull_cursor_name(hall_code)
    with cache.read() as s:
        cursor = read_cursor(s, name)
        marker = read_cursor(s, init_marker_name(hall_code))
    if cursor is None or marker is None or marker.last_key != INIT_COMPLETE:
        raise SyncSetupError(f"hall {hall_code}: run the initial sync before pulling")
    start = (int(cursor.txid), int(cursor.change_id))
    with central_snapshot(central) as conn:
        changes = read_changes(conn, hall_code, start, limit=limit)
        if not changes.rows:
            return PullResult(0, 0, start, False, changes.horizon, changes.held)
        merge = plan_merge(conn, changes)
        with errors.database_reached(), cache.write() as s:
            now = read_cursor(s, name)
            if (int(now.txid), int(now.change_id)) != start:  # another pull got there first
                return PullResult(0, 0, (int(now.txid), int(now.change_id)), True)
            applied = merge.apply(s)
            store_cursor(s, name, txid=changes.end[0], change_id=changes.end[1])
    return PullResult(
        applied, len(changes.rows), changes.end, changes.more, changes.horizon, changes.held
    )


def pull_all(
    central: Database, cache: Database, hall_code: str, *, limit: int = DEFAULT_LIMIT
) -> PullResult:
    """Pull until no finished change waits; the totals."""
    applied = read = 0
    while True:
        result = pull_changes(central, cache, hall_code, limit=limit)
        applied += result.rows_applied
        read += result.changes_read
        if not result.more:
            return PullResult(applied, read, result.cursor, False, result.horizon, result.held)
