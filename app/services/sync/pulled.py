"""What a station pulls from the central database, and how far it got.

The pulled tables are the hall's reference data and its billing facts, parents first (the
order the change-log triggers of migration 0007 cover). A row is the station's hall's by
its own `hall_id`, or through its parent's (a bill through its account, an allocation
through its payment, a counter's services through the counter). Staff are the hall's own
and the hall-less ones (`hall_id` NULL: administrators and accounts made with
`halldesk staff create`, who may log in anywhere, offline too).

Cursors (`sync_cursors`, in the cache): "pull:<hall>" holds the (txid, change id) of the
last change applied; "init:<hall>" and "init:<hall>:<table>" hold an initial sync's
progress (app.services.sync.initial).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Column, ColumnElement, Connection, Table, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import Base, Hall, SyncCursor
from app.models.base import utcnow
from app.models.db import Database
from app.services import errors
from app.services.errors import DomainError

# parents first: every foreign key of a pulled table points to a table before it
PULLED: tuple[str, ...] = (
    "halls",
    "services",
    "counters",
    "counter_services",
    "staff",
    "customer_accounts",
    "bills",
    "fee_items",
    "late_fee_rules",
    "payments",
    "payment_allocations",
    "payment_fees",
    "credit_entries",
    "payment_voids",
    "refunds",
    "receipt_prints",
    "day_closings",
)
TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in PULLED}
# tables the change log names by their parent's id; the cache replaces such a set whole
GROUPED = {"counter_services": "counter_id"}
# tables without a hall_id: the hall of the parent row they belong to
VIA = {
    "counter_services": ("counter_id", "counters"),
    "bills": ("account_id", "customer_accounts"),
    "credit_entries": ("account_id", "customer_accounts"),
    "payment_allocations": ("payment_id", "payments"),
    "payment_fees": ("payment_id", "payments"),
    "payment_voids": ("payment_id", "payments"),
    "receipt_prints": ("payment_id", "payments"),
}
CURSORS = cast(Table, SyncCursor.__table__)
INIT_COMPLETE = "complete"  # the last_key of "init:<hall>" once the copy is whole
CHUNK = 2000  # ids in one IN (...): far below SQLite's and PostgreSQL's bind limits


class SyncSetupError(ValueError):
    """The sync cannot run as asked: a central database that is not PostgreSQL, a cache
    that is not SQLite, a pull before the initial sync finished."""


def key_column(table: Table) -> Column[Any]:
    """The column the change log names a row of `table` by."""
    return table.c[GROUPED.get(table.name, "id")]


def hall_filter(table: Table, hall_id: uuid.UUID) -> ColumnElement[bool]:
    """Rows of `table` that belong to the hall (see the module docstring)."""
    if table.name == "halls":
        return table.c.id == hall_id
    if table.name == "staff":
        return or_(table.c.hall_id == hall_id, table.c.hall_id.is_(None))
    if "hall_id" in table.c:
        return table.c.hall_id == hall_id
    column, parent_name = VIA[table.name]
    parent = TABLES[parent_name]
    return table.c[column].in_(select(parent.c.id).where(parent.c.hall_id == hall_id))


def parents(table: Table) -> list[tuple[str, str]]:
    """(column, parent table) of every foreign key of a pulled table."""
    return sorted((fk.parent.name, fk.column.table.name) for fk in table.foreign_keys)


def referrers(name: str) -> list[tuple[Table, str]]:
    """(table, column) of every cache table with a foreign key to the pulled table `name`,
    pulled or the station's own (tickets, counter sessions, evaluations, ...)."""
    return sorted(
        (
            (table, fk.parent.name)
            for table in Base.metadata.sorted_tables
            for fk in table.foreign_keys
            if fk.column.table.name == name
        ),
        key=lambda pair: (pair[0].name, pair[1]),
    )


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def require_stores(central: Database, cache: Database) -> None:
    if central.dialect != "postgresql":
        raise SyncSetupError(
            f"a station syncs with a central PostgreSQL database, not {central.dialect}: "
            "a hall on one SQLite file has no station caches"
        )
    if cache.dialect != "sqlite":
        raise SyncSetupError(f"a station's cache is a SQLite file, not {cache.dialect}")


@contextmanager
def central_snapshot(central: Database) -> Iterator[Connection]:
    """A read-only REPEATABLE READ transaction on the central database: every statement
    in it sees the one snapshot taken by its first query."""
    with errors.database_reached(), central.engine.connect() as conn:
        # one BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, no statement of its own
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def hall_id_of(conn: Connection, hall_code: str) -> uuid.UUID:
    found = conn.scalar(select(Hall.id).where(Hall.code == hall_code))
    if found is None:
        raise DomainError(errors.UNKNOWN_HALL, f"no hall '{hall_code}' at the centre")
    return found


def pull_cursor_name(hall_code: str) -> str:
    return f"pull:{hall_code}"


def init_marker_name(hall_code: str) -> str:
    return f"init:{hall_code}"


def read_cursor(session: Session, name: str) -> Any:
    """The cursor row `name` (txid, change_id, last_key), or None."""
    return session.execute(
        select(CURSORS.c.txid, CURSORS.c.change_id, CURSORS.c.last_key).where(
            CURSORS.c.name == name
        )
    ).first()


def store_cursor(
    session: Session, name: str, *, txid: int = 0, change_id: int = 0, last_key: str = ""
) -> None:
    """Write the cursor `name` in the caller's transaction (with the rows it stands for)."""
    values = {"txid": txid, "change_id": change_id, "last_key": last_key, "updated_at": utcnow()}
    stmt = sqlite_insert(CURSORS).values(name=name, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=values))
