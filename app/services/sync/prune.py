"""Keeping the central change log small: each station reports how far it has read, and
the log is pruned below those cursors (issue 9, "past one machine").

Why pruning below every registered station's cursor is safe, also for a station that is
not registered yet: a cursor only ever holds changes read below the snapshot's xmin of its
pull, so every pruned row belongs to a transaction that had ended before that pull; a new
station starts its pulls at the xmin of its first copy's snapshot, taken later, and reads
the rows of those ended transactions in the copy itself. With no station registered
nothing is pruned. A station taken out of service must be deleted from `sync_stations`
(or it holds the pruning back); a station's cursor never moves back.

Per hall (migration 0013): a hall's rows go once every station of that hall has read
them, and the rest (rows for every hall, halls without cached stations, rows logged
before 0013) once every station has: a PC switched off for a week holds back its own
hall's log and those few rows, not a thousand halls'. A station reports how far it has
read everything of its hall, which moves on with the centre's snapshots even while its
hall is quiet (`PullResult.horizon`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.models import ChangeLog, Hall, SyncStation
from app.models.db import Database
from app.services import errors

STATIONS = cast(Table, SyncStation.__table__)
CHANGES = cast(Table, ChangeLog.__table__)
MAX_CHANGE_ID = 2**63 - 1  # (txid, MAX_CHANGE_ID): every change of that transaction


@dataclass(frozen=True, slots=True)
class PruneResult:
    deleted: int
    horizon: tuple[int, int] | None  # rows at or below it are gone (None: nothing pruned)


def report_cursor(central: Database, station: str, hall_code: str, cursor: tuple[int, int]) -> None:
    """Record at the centre how far `station` has pulled (never moving it back)."""
    now = datetime.now(UTC)
    values = {"hall_code": hall_code, "txid": cursor[0], "change_id": cursor[1], "seen_at": now}
    stmt = pg_insert(STATIONS).values(station=station[:64], **values)
    newer = tuple_(STATIONS.c.txid, STATIONS.c.change_id) < tuple_(
        stmt.excluded.txid, stmt.excluded.change_id
    )
    stmt = stmt.on_conflict_do_update(index_elements=["station"], set_=values, where=newer)
    with errors.database_reached(), central.write() as s:
        s.execute(stmt)


def read_to(cursor: tuple[int, int], horizon: int) -> tuple[int, int]:
    """How far a station has read everything of its hall: its cursor, or, after a pull
    that left nothing behind, everything below that pull's snapshot xmin (`horizon`)."""
    return max(cursor, (horizon - 1, MAX_CHANGE_ID)) if horizon > 0 else cursor


def _lowest(s: Session, *where: ColumnElement[bool]) -> tuple[int, int] | None:
    low = s.execute(
        select(STATIONS.c.txid, STATIONS.c.change_id)
        .where(*where)
        .order_by(STATIONS.c.txid, STATIONS.c.change_id)
        .limit(1)
    ).first()
    return None if low is None else (int(low.txid), int(low.change_id))


def _delete(s: Session, below: tuple[int, int], *where: ColumnElement[bool]) -> int:
    stmt = delete(CHANGES).where(tuple_(CHANGES.c.txid, CHANGES.c.id) <= tuple_(*below), *where)
    return int(cast(CursorResult[Any], s.execute(stmt)).rowcount or 0)


def prune_change_log(central: Database, hall_code: str | None = None) -> PruneResult:
    """Delete the change-log rows every registered station has read past; with
    `hall_code`, also that hall's rows its own stations have all read past. The horizon
    returned is the hall's (or, without a hall, everyone's)."""
    with errors.database_reached(), central.write() as s:
        everyone = _lowest(s)
        if everyone is None:
            return PruneResult(0, None)
        deleted = _delete(s, everyone)
        if hall_code is None:
            return PruneResult(deleted, everyone)
        hall = _lowest(s, STATIONS.c.hall_code == hall_code)
        hall_id = s.scalar(select(Hall.id).where(Hall.code == hall_code))
        if hall is None or hall_id is None or hall <= everyone:
            return PruneResult(deleted, everyone if hall is None else hall)
        deleted += _delete(s, hall, CHANGES.c.hall_id == hall_id)
        return PruneResult(deleted, hall)


def change_log_size(central: Database) -> int:
    with central.read() as s:
        return int(s.scalar(select(func.count()).select_from(CHANGES)) or 0)
