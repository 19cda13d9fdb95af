"""The outbox: every row a station inserts into a pushed table gets an outbox record in
the same transaction (DESIGN.md "Data": nothing a clerk confirmed is only in memory, and
nothing reaches the centre that the station did not commit).

`install_capture(cache)` hooks the cache's writing units of work: after each flush, the
new ORM objects of the pushed tables are written to `outbox` through the flush's own
connection, parents before children (the tables' foreign-key order), so a batch pushed
in outbox order never sends a child before its parent. Rows written with Core statements
(the pull's copies of central rows) are not ORM objects and are not captured: what came
from the centre is never sent back.

The pushed tables are the append-only facts of the counter business and the audit log:
inserted once, never updated (the models refuse updates), which is what makes `INSERT …
ON CONFLICT DO NOTHING` at the centre exactly-once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.models import Base, OutboxRecord
from app.models.db import Database
from app.services.sync.rows import to_json

OUTBOX = cast(Table, OutboxRecord.__table__)
PUSHED = (
    "payments",
    "payment_allocations",
    "payment_fees",
    "credit_entries",
    "payment_voids",
    "refunds",
    "receipt_prints",
    "day_closings",
    "audit_log",
)
# every table in foreign-key order: parents first
TABLE_ORDER = {t.name: n for n, t in enumerate(Base.metadata.sorted_tables)}


def _values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    return {attr.columns[0].name: getattr(obj, attr.key) for attr in state.mapper.column_attrs}


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    new = [obj for obj in session.new if getattr(obj, "__tablename__", None) in PUSHED]
    if not new:
        return
    new.sort(key=lambda o: TABLE_ORDER[o.__tablename__])
    now = datetime.now(UTC)
    rows = []
    for obj in new:
        values = _values(obj)
        rows.append(
            {
                "table_name": obj.__tablename__,
                "row_id": values["id"],
                "payload": to_json(values),
                "created_at": now,
            }
        )
    session.connection().execute(insert(OUTBOX), rows)


def install_capture(cache: Database) -> None:
    """Write an outbox record for every pushed row inserted through `cache`'s write units."""
    cache.listen_writes("after_flush", _after_flush)
