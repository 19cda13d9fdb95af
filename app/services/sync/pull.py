"""Pulling the central change log into a station's cache, after a cursor that cannot skip.

The triggers of migration 0007 write one `change_log` row per changed row of a pulled
table, in the writer's transaction, with that transaction's id (`txid`). Ids are handed
out when a transaction first writes, not when it commits, so the log fills out of order:
A takes txid 100 and inserts, B takes 101, inserts and commits, and only then A commits.
A reader that saw B's row and moved its cursor past (101, …) would never see A's.

So a pull reads only `txid < pg_snapshot_xmin(pg_current_snapshot())`: every transaction
below the snapshot's xmin has finished (committed, and visible to that snapshot, or rolled
back), so no row can appear later below the cursor it stores. A transaction that started
before the pull and commits after has a txid at or above xmin, and waits for the next
pull. The xmin and the rows must come from one snapshot: read in two READ COMMITTED
statements, the xmin could be taken after A committed while the rows were read before,
and the cursor would pass A unread. Here the rows are read by one statement that computes
its own xmin, inside a REPEATABLE READ read-only transaction that also reads the changed
rows themselves, so the cache gets one consistent state of the centre (a parent and its
children as they were together). A long open transaction at the centre holds every pull
behind it: the price of never skipping.

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

from sqlalchemy import text

from app.models.db import Database
from app.services import errors
from app.services.sync.merge import Merge
from app.services.sync.pulled import (
    INIT_COMPLETE,
    PULLED,
    SyncSetupError,
    central_snapshot,
    hall_id_of,
    init_marker_name,
    pull_cursor_name,
    read_cursor,
    require_stores,
    store_cursor,
)

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 5000

# the first `limit` finished changes after the cursor, and the rest of the last transaction
CHANGES = text(
    """
    WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin),
    head AS (
        SELECT c.txid FROM change_log c, horizon h
        WHERE (c.txid, c.id) > (:txid, :change_id) AND c.txid < h.xmin
        ORDER BY c.txid, c.id
        LIMIT :limit
    )
    SELECT c.id, c.txid, c.table_name, c.row_id FROM change_log c, horizon h
    WHERE (c.txid, c.id) > (:txid, :change_id) AND c.txid < h.xmin
      AND c.txid <= (SELECT max(txid) FROM head)
    ORDER BY c.txid, c.id
    """
)
MORE = text(
    """
    SELECT EXISTS (
        SELECT 1 FROM change_log
        WHERE (txid, id) > (:txid, :change_id)
          AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
    )
    """
)


@dataclass(frozen=True, slots=True)
class PullResult:
    rows_applied: int  # cache rows written or deleted
    changes_read: int  # change-log rows read (other halls' too)
    cursor: tuple[int, int]  # (txid, change id) of the last change read
    more: bool  # finished changes wait after the cursor: pull again


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
        hall_id = hall_id_of(conn, hall_code)
        params = {"txid": start[0], "change_id": start[1], "limit": limit}
        changes = conn.execute(CHANGES, params).all()
        if not changes:
            return PullResult(0, 0, start, False)
        end = (int(changes[-1].txid), int(changes[-1].id))
        more = bool(conn.scalar(MORE, {"txid": end[0], "change_id": end[1]}))
        merge = Merge(conn, hall_id)
        named: dict[str, set[uuid.UUID]] = defaultdict(set)
        for change in changes:
            named[change.table_name].add(change.row_id)
        for table in set(named) - set(PULLED):
            log.warning("pull: change log names table %s, which this schema does not pull", table)
        for table in PULLED:
            if named.get(table):
                merge.fetch(table, named[table])
        with errors.database_reached(), cache.write() as s:
            now = read_cursor(s, name)
            if (int(now.txid), int(now.change_id)) != start:  # another pull got there first
                return PullResult(0, 0, (int(now.txid), int(now.change_id)), True)
            applied = merge.apply(s)
            store_cursor(s, name, txid=end[0], change_id=end[1])
    return PullResult(applied, len(changes), end, more)


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
            return PullResult(applied, read, result.cursor, False)
