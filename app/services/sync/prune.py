"""Keeping the central change log small: each station reports how far it has pulled, and
the log is pruned below the lowest of those cursors (issue 9, "past one machine").

Why pruning below every registered station's cursor is safe, also for a station that is
not registered yet: a cursor only ever holds changes read below the snapshot's xmin of its
pull, so every pruned row belongs to a transaction that had ended before that pull; a new
station starts its pulls at the xmin of its first copy's snapshot, taken later, and reads
the rows of those ended transactions in the copy itself. With no station registered
nothing is pruned. A station taken out of service must be deleted from `sync_stations`
(or it holds the pruning back); a station's cursor never moves back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.models import ChangeLog, SyncStation
from app.models.db import Database
from app.services import errors

STATIONS = cast(Table, SyncStation.__table__)
CHANGES = cast(Table, ChangeLog.__table__)


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


def prune_change_log(central: Database) -> PruneResult:
    """Delete the change-log rows every registered station has pulled past."""
    with errors.database_reached(), central.write() as s:
        low = s.execute(
            select(STATIONS.c.txid, STATIONS.c.change_id)
            .order_by(STATIONS.c.txid, STATIONS.c.change_id)
            .limit(1)
        ).first()
        if low is None:
            return PruneResult(0, None)
        horizon = (int(low.txid), int(low.change_id))
        result = cast(
            CursorResult[Any],
            s.execute(
                delete(CHANGES).where(tuple_(CHANGES.c.txid, CHANGES.c.id) <= tuple_(*horizon))
            ),
        )
        return PruneResult(int(result.rowcount or 0), horizon)


def change_log_size(central: Database) -> int:
    with central.read() as s:
        return int(s.scalar(select(func.count()).select_from(CHANGES)) or 0)
