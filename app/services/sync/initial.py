"""The initial sync of a new station cache: every pulled row of its hall, resumable.

First the pull cursor's start is stored: (xmin, 0) where xmin is
`pg_snapshot_xmin(pg_current_snapshot())` of a snapshot taken before anything is copied.
`(txid, id) > (xmin, 0)` means every change of a transaction with txid >= xmin (change
ids start at 1). Every transaction below xmin had finished when that snapshot was taken,
so the copy, whose snapshots are all later, already holds what they did and the pull
never needs their changes; a transaction at or above xmin may or may not be in the copy,
and its changes are pulled afterwards either way. Pulling a change the copy already has
is harmless: a pull writes the row as the centre has it then, not a delta.

Then each pulled table, parents first, in keyset batches in the order of its primary key
(`WHERE pk > last ORDER BY pk LIMIT batch`), each batch read in one central snapshot and
written in ONE cache transaction together with its resume point, the cursor
"init:<hall>:<table>" (last_key: the last key copied, "done" at the end). So a table's
copy is not one snapshot: a batch copied early may be older than a later one. That is
enough, because everything that changed after the start is pulled anyway, and each batch
is consistent in itself (a row whose parent changed since its table was copied brings
its parent along: app.services.sync.merge). An interrupted sync (killed, an exception,
the centre gone) continues after the last committed batch when called again; no row is
copied twice and none is missed. At the end the marker "init:<hall>" says "complete",
and the pull may start; a later call does nothing.

Every table's rows are counted at the start, in one snapshot, so the progress reported
after each batch covers the whole copy (app.services.sync.copy_progress). A caller may
ask the copy to stop (`should_stop`, asked before each batch): it stops between batches,
with everything committed so far kept, just as if it had been interrupted.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select, text, tuple_

from app.models.db import Database
from app.services import errors
from app.services.sync.copy_progress import CopyProgress, CopyTally
from app.services.sync.merge import Merge
from app.services.sync.pulled import (
    INIT_COMPLETE,
    PULLED,
    TABLES,
    central_snapshot,
    hall_filter,
    hall_id_of,
    init_marker_name,
    pull_cursor_name,
    read_cursor,
    require_stores,
    store_cursor,
)

log = logging.getLogger(__name__)

DEFAULT_BATCH = 5000
TABLE_DONE = "done"
# a bigger page cache while copying: the accounts' look-up indexes (name, phone, address)
# take rows in random order, and with SQLite's default 2 MB every insert reads pages back
COPY_CACHE = text("PRAGMA cache_size = -65536")  # KiB: 64 MB, for the copy's connection
XMIN = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")

Progress = Callable[[CopyProgress], None]
StopCheck = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class InitialResult:
    rows_copied: int  # by this call
    batches: int  # committed by this call
    cursor: tuple[int, int]  # where the pulls start
    resumed: bool  # an earlier call had begun
    already_complete: bool  # nothing to do: the cache was synced before
    stopped: bool = False  # asked to stop (`should_stop`) before the copy was whole


def _key_text(table: Table, row: dict[str, Any]) -> str:
    """A row's primary key as the resume point: 32 hex digits a UUID (64 for two)."""
    return "".join(row[c.name].hex for c in table.primary_key)


def _after(table: Table, last_key: str) -> Any:
    pk = list(table.primary_key)
    keys = [uuid.UUID(last_key[32 * n : 32 * n + 32]) for n in range(len(pk))]
    return pk[0] > keys[0] if len(pk) == 1 else tuple_(*pk) > tuple_(*keys)


def _start(central: Database, cache: Database, hall_code: str) -> tuple[int, int]:
    with central_snapshot(central) as conn:
        hall_id_of(conn, hall_code)
        xmin = int(conn.scalar(XMIN) or 0)
    with errors.database_reached(), cache.write() as s:
        store_cursor(s, pull_cursor_name(hall_code), txid=xmin, change_id=0)
        store_cursor(s, init_marker_name(hall_code), last_key="")
    return (xmin, 0)


def _count(conn: Connection, table: Table, hall_id: uuid.UUID, last_key: str) -> tuple[int, int]:
    """Rows of the hall in `table`, and how many of them come up to `last_key`."""
    where = hall_filter(table, hall_id)
    total = int(conn.scalar(select(func.count()).select_from(table).where(where)) or 0)
    if not last_key:
        return total, 0
    if last_key == TABLE_DONE:
        return total, total
    before = select(func.count()).select_from(table).where(where, ~_after(table, last_key))
    return total, int(conn.scalar(before) or 0)


def _plan(
    central: Database, cache: Database, hall_code: str
) -> tuple[uuid.UUID, dict[str, str], CopyTally]:
    """The hall's id, where each table's copy goes on (its resume point), and every
    table's rows, counted in one central snapshot."""
    with cache.read() as s:
        states = {name: read_cursor(s, f"init:{hall_code}:{name}") for name in PULLED}
    last_keys = {name: state.last_key if state else "" for name, state in states.items()}
    with central_snapshot(central) as conn:
        hall_id = hall_id_of(conn, hall_code)
        counted = {name: _count(conn, TABLES[name], hall_id, last_keys[name]) for name in PULLED}
    return hall_id, last_keys, CopyTally(counted)


@dataclass
class _Copy:
    """One call's copy: the stores, the batch size, what to tell and ask the caller."""

    central: Database
    cache: Database
    hall_code: str
    hall_id: uuid.UUID
    batch: int
    tally: CopyTally
    progress: Progress | None
    should_stop: StopCheck | None
    # the keys copied so far, which the rows of later tables need not look up as parents
    known: dict[str, set[uuid.UUID]]
    rows: int = 0
    batches: int = 0

    def table(self, table: Table, last_key: str) -> bool:
        """Copy what is left of one table; False if asked to stop before it was whole."""
        name = f"init:{self.hall_code}:{table.name}"
        order = list(table.primary_key)
        while True:
            if self.should_stop is not None and self.should_stop():
                return False
            with central_snapshot(self.central) as conn:
                query = select(table).where(hall_filter(table, self.hall_id))
                if last_key:
                    query = query.where(_after(table, last_key))
                found = conn.execute(query.order_by(*order).limit(self.batch))
                names = list(found.keys())
                rows = [dict(zip(names, r, strict=True)) for r in found.all()]
                finished = len(rows) < self.batch
                if rows:
                    last_key = _key_text(table, rows[-1])
                merge = Merge(conn, self.hall_id, self.known)
                merge.put(table.name, rows)
                with errors.database_reached(), self.cache.write() as s:
                    s.execute(COPY_CACHE)
                    merge.apply(s)
                    store_cursor(s, name, last_key=TABLE_DONE if finished else last_key)
            self.rows += len(rows)
            self.batches += 1
            report = self.tally.add(table.name, len(rows), finished=finished)
            if self.progress is not None and (rows or finished):
                self.progress(report)
            if finished:
                return True


def initial_sync_complete(cache: Database, hall_code: str) -> bool:
    """Whether the cache holds a whole copy of the hall, so it may pull and serve offline
    (a copy cut short has the hall's first tables only)."""
    with cache.read() as s:
        marker = read_cursor(s, init_marker_name(hall_code))
    return marker is not None and marker.last_key == INIT_COMPLETE


def initial_sync(
    central: Database,
    cache: Database,
    hall_code: str,
    *,
    batch: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> InitialResult:
    """Copy the hall's pulled rows into a migrated cache, or finish an interrupted copy
    (see the module docstring). `progress(CopyProgress)` is called after each committed
    batch; what it raises stops the sync, which a later call resumes. `should_stop()` is
    asked before each batch: True stops the copy there (`stopped` in the result), to be
    resumed the same way. `SyncSetupError` unless the centre is PostgreSQL and the cache
    SQLite."""
    require_stores(central, cache)
    if batch < 1:
        raise ValueError("batch must be at least 1")
    with cache.read() as s:
        marker = read_cursor(s, init_marker_name(hall_code))
        cursor = read_cursor(s, pull_cursor_name(hall_code))
    if marker is not None and cursor is not None:
        start = (int(cursor.txid), int(cursor.change_id))
        if marker.last_key == INIT_COMPLETE:
            return InitialResult(0, 0, start, True, True)
    else:
        start = _start(central, cache, hall_code)
    hall_id, last_keys, tally = _plan(central, cache, hall_code)
    known: dict[str, set[uuid.UUID]] = {name: set() for name in PULLED}
    copy = _Copy(central, cache, hall_code, hall_id, batch, tally, progress, should_stop, known)
    resumed = marker is not None
    for name in PULLED:
        if last_keys[name] == TABLE_DONE:
            continue
        if not copy.table(TABLES[name], last_keys[name]):
            log.info(
                "initial sync of hall %s stopped as asked after %d rows in %d batches; "
                "the next call goes on from there",
                hall_code,
                copy.rows,
                copy.batches,
            )
            return InitialResult(copy.rows, copy.batches, start, resumed, False, stopped=True)
    with errors.database_reached(), cache.write() as s:
        store_cursor(s, init_marker_name(hall_code), last_key=INIT_COMPLETE)
    log.info("initial sync of hall %s: %d rows in %d batches", hall_code, copy.rows, copy.batches)
    return InitialResult(copy.rows, copy.batches, start, resumed, False)
