"""The hall database: the one authority of a hall's queue, on the hall's own LAN (issue 9).

"Two counters never get the same ticket" needs one place that decides, also while the
centre is away, so the queue cannot live in each station's cache. It lives in a
PostgreSQL database on the hall's server PC (the one that runs the dispenser and the
device bus), reached by every station of the hall over the LAN (`[sync] hall_url`). The
queue code is the same as on the central database: one transaction per step, row locks,
the unique ticket numbers; only where its rows go next differs.

The hall database is a station of the centre like any other:
- its queue rows (tickets, their events and series, counter sessions and pauses,
  evaluations, alerts) get an outbox record from a trigger, in the writing transaction,
  however the queue code wrote them (ORM or one SQL statement); the hall server's sync
  worker pushes them (`push`). Unlike a cache's payments these rows change (a ticket is
  called, then finished), and the hall is their only writer, so the centre takes the
  hall's latest version of each row (`mirror_rows`, `mirror_statement`), in the order the
  hall wrote them; a ticket event, whose id is the hall's own sequence, is kept at the
  centre under a centre id with the hall's id as `origin_id` (migration 0010);
- the reference rows the queue needs (the hall, its services, counters, staff) are copied
  from the centre whole and compared (`refresh_reference`): a hall has tens of them, not
  the hundreds of thousands of accounts the caches pull by change log. The hall database
  writes no change log of its own (its triggers are turned off): nobody pulls from it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models.db import Database
from app.services.sync.pulled import PULLED, TABLES, SyncSetupError, hall_filter, hall_id_of

# the hall's rows the queue refers to, parents first
REFERENCE: tuple[str, ...] = PULLED[:5]
# the queue's rows, whose authority is the hall database; their keys at the centre
MIRRORED: dict[str, tuple[str, ...]] = {
    "tickets": ("id",),
    "ticket_series": ("hall_id", "service_id", "business_date", "dispenser"),
    "ticket_events": ("hall_id", "origin_id"),
    "counter_sessions": ("id",),
    "counter_pauses": ("id",),
    "evaluations": ("id",),
    "alerts": ("id",),
}

# An outbox record for every row written; outbox.row_id is a UUID, so the rows without one
# are named by a UUID made of their key (md5 as hex is a UUID's 32 digits).
_OUTBOX_FUNCTION = """
CREATE OR REPLACE FUNCTION halldesk_hall_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key uuid;
BEGIN
    IF TG_TABLE_NAME = 'ticket_events' THEN
        key := md5('ticket_events:' || NEW.id::text)::uuid;
    ELSIF TG_TABLE_NAME = 'ticket_series' THEN
        key := md5(NEW.hall_id::text || NEW.service_id::text || NEW.business_date::text
                   || NEW.dispenser)::uuid;
    ELSE
        key := NEW.id;
    END IF;
    INSERT INTO outbox (table_name, row_id, payload, created_at)
    VALUES (TG_TABLE_NAME, key, row_to_json(NEW)::text, now());
    RETURN NULL;
END $$
"""


def install_hall_outbox(hall_db: Database) -> None:
    """Make `hall_db` a hall database: outbox triggers on the queue's tables, no change log.
    Idempotent; run by the hall server at every start (after the migrations)."""
    if hall_db.dialect != "postgresql":
        raise SyncSetupError(f"a hall database is a PostgreSQL database, not {hall_db.dialect}")
    with hall_db.write() as s:
        s.execute(text(_OUTBOX_FUNCTION))
        for name in MIRRORED:
            s.execute(
                text(
                    f"CREATE OR REPLACE TRIGGER hall_outbox AFTER INSERT OR UPDATE ON {name} "
                    "FOR EACH ROW EXECUTE FUNCTION halldesk_hall_outbox()"
                )
            )
        for name in PULLED:
            s.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER log_change"))


def mirror_rows(name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of one push for a mirrored table: each row once, in its latest version at
    the place of its first (one statement may not change a row twice); a ticket event
    under the hall's id as its `origin_id`, its centre id left to the centre."""
    if name == "ticket_events":
        rows = [{**{k: v for k, v in r.items() if k != "id"}, "origin_id": r["id"]} for r in rows]
    keys = MIRRORED[name]
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        latest[tuple(row[k] for k in keys)] = row  # dicts keep the first insertion's place
    return list(latest.values())


def mirror_statement(table: Table, dialect: str) -> Any:
    """INSERT of a mirrored table's rows at the centre: a new row is inserted, a known one
    takes the hall's version (a ticket event or a series number never goes back)."""
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = make(table)
    keys = MIRRORED[table.name]
    if table.name == "ticket_events":
        return stmt.on_conflict_do_nothing(
            index_elements=list(keys), index_where=table.c.origin_id.is_not(None)
        )
    if table.name == "ticket_series":
        newest = text("GREATEST(ticket_series.last_number, excluded.last_number)")
        if dialect != "postgresql":
            newest = text("MAX(ticket_series.last_number, excluded.last_number)")
        return stmt.on_conflict_do_update(index_elements=list(keys), set_={"last_number": newest})
    columns = [c.name for c in table.columns if c.name not in keys]
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
    )


def refresh_reference(central: Database, hall_db: Database, hall_code: str) -> int:
    """Copy the hall's reference rows from the centre into the hall database (one snapshot
    read, one transaction written); the rows that differed."""
    with central.read() as s:
        hall_id = hall_id_of(s.connection(), hall_code)
        wanted = {
            name: [
                dict(r._mapping)
                for r in s.execute(select(TABLES[name]).where(hall_filter(TABLES[name], hall_id)))
            ]
            for name in REFERENCE
        }
    changed = 0
    with hall_db.write() as s:
        for name in REFERENCE:
            table, rows = TABLES[name], wanted[name]
            if name == "counter_services":
                changed += _replace_links(s, table, hall_id, rows)
            elif rows:
                changed += _upsert_changed(s, table, rows)
    return changed


def _upsert_changed(session: Any, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert the new rows, update the changed ones, leave the rest alone. Compared here,
    not by `ON CONFLICT … WHERE`: that locks every row it looks at, and the hall row is
    the one every queue step's foreign keys share-lock."""
    have = {
        r.id: dict(r._mapping)
        for r in session.execute(select(table).where(table.c.id.in_([r["id"] for r in rows])))
    }
    changed = 0
    for row in rows:
        old = have.get(row["id"])
        if old == row:
            continue
        if old is None:
            session.execute(insert(table), row)
        else:
            rest = {k: v for k, v in row.items() if k != "id"}
            session.execute(update(table).where(table.c.id == row["id"]).values(**rest))
        changed += 1
    return changed


def _replace_links(
    session: Any, table: Table, hall_id: uuid.UUID, rows: list[dict[str, Any]]
) -> int:
    """counter_services: the hall's set of (counter, service) pairs made equal to the centre's."""
    mine = hall_filter(table, hall_id)
    have = {(r.counter_id, r.service_id) for r in session.execute(select(table).where(mine))}
    want = {(r["counter_id"], r["service_id"]) for r in rows}
    if have == want:
        return 0
    session.execute(delete(table).where(mine))
    if want:
        session.execute(pg_insert(table), [dict(r) for r in rows])
    return len(have ^ want)
