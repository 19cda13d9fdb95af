"""Central rows into a station's cache: one transaction, consistent wherever a batch was cut.

A `Merge` is planned from the central database's rows as one snapshot shows them (the
caller's REPEATABLE READ transaction) and written to the cache with Core statements, never
ORM objects, so the outbox capture (app.services.sync.capture) does not send them back.
A pull asks for the rows the change log named (`fetch`); an initial sync hands in the
hall's rows it read (`put`). `apply` then decides, completes and writes:

- a row named by the log is written if it is the hall's, or if the cache holds it already
  (a row of another hall that a row of ours refers to); else it is skipped. A row gone
  from the centre is deleted from the cache; a counter's services are replaced as a set.
- Foreign keys: SQLite checks them at COMMIT (`PRAGMA defer_foreign_keys`), so rows can
  be written table by table, deletes children first, upserts parents first. A row whose
  parent the cache lacks brings the parent along, whatever its hall (a clerk of another
  hall who took a payment here). The centre's snapshot has the current rows, which may
  refer to parents written by a transaction the cursor has not reached yet.
- A row deleted at the centre stays while the station's own records refer to it
  (tickets, counter sessions, evaluations; any row still waiting in the outbox). Pulled
  rows that refer to it are first refreshed from the centre, where they no longer do.
- Unique keys: a cached row that holds a value an incoming row now has (two counters
  that swapped numbers) is refreshed too, deleted first and written again after.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import (
    Connection,
    CursorResult,
    Table,
    UniqueConstraint,
    delete,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import OutboxRecord
from app.services.sync.pulled import (
    GROUPED,
    PULLED,
    TABLES,
    chunks,
    hall_filter,
    key_column,
    parents,
    referrers,
)

log = logging.getLogger(__name__)

Row = dict[str, Any]
OUTBOX = cast(Table, OutboxRecord.__table__)
OURS = "halldesk_ours"


def _upsert(table: Table) -> Any:
    stmt = sqlite_insert(table)
    changed = {c.name: stmt.excluded[c.name] for c in table.columns if not c.primary_key}
    keys = [c.name for c in table.primary_key]
    return stmt.on_conflict_do_update(index_elements=keys, set_=changed)


UPSERT = {name: _upsert(t) for name, t in TABLES.items()}
PARENTS = {name: parents(t) for name, t in TABLES.items()}
REFERRERS = {name: referrers(name) for name in PULLED}
UNIQUE = {
    name: [
        tuple(c.name for c in u.columns)
        for u in t.constraints
        if isinstance(u, UniqueConstraint) and u.columns
    ]
    for name, t in TABLES.items()
}


def _tables(default: Any) -> dict[str, Any]:
    return {name: default() for name in PULLED}


class Merge:
    """One cache transaction's worth of central rows (see the module docstring)."""

    def __init__(
        self,
        central: Connection,
        hall_id: uuid.UUID,
        known: dict[str, set[uuid.UUID]] | None = None,
    ) -> None:
        """`known`: keys the caller knows the cache holds, kept up to date by `apply`
        (an initial sync's copied rows: their children need not look them up)."""
        self._central = central
        self._hall = hall_id
        self._known = known if known is not None else _tables(set)
        self._cache: Session | None = None
        self._found: dict[str, dict[uuid.UUID, list[Row]]] = _tables(dict)
        self._ours: dict[str, set[uuid.UUID]] = _tables(set)
        self._fetched: dict[str, set[uuid.UUID]] = _tables(set)
        self._undecided: dict[str, set[uuid.UUID]] = _tables(set)
        self._fresh: list[tuple[str, list[Row]]] = []  # parents, unique keys unchecked
        self.upserts: dict[str, dict[uuid.UUID, list[Row]]] = _tables(dict)
        self.replace: dict[str, set[uuid.UUID]] = _tables(set)  # sets written anew
        self.deletes: dict[str, set[uuid.UUID]] = _tables(set)
        self.moved: dict[str, set[uuid.UUID]] = _tables(set)  # deleted, then written again
        self.kept = 0  # rows gone from the centre that the station still refers to

    # ---------------------------------------------------------------- planning
    def fetch(self, table: str, keys: set[uuid.UUID]) -> None:
        """Read the centre's current rows of `table` named by `keys` (their key column)."""
        todo = keys - self._fetched[table]
        if not todo:
            return
        self._fetched[table] |= todo
        self._undecided[table] |= todo
        t = TABLES[table]
        kc = key_column(t)
        for part in chunks(todo):
            query = select(t, hall_filter(t, self._hall).label(OURS)).where(kc.in_(part))
            for m in self._central.execute(query).mappings():
                row = {c.name: m[c.name] for c in t.columns}
                self._found[table].setdefault(row[kc.name], []).append(row)
                if m[OURS]:
                    self._ours[table].add(row[kc.name])

    def put(self, table: str, rows: list[Row]) -> None:
        """Rows of the hall the caller read from the centre: written as they are."""
        kc = key_column(TABLES[table]).name
        planned = self.upserts[table]
        if table in GROUPED:
            for row in rows:
                planned.setdefault(row[kc], []).append(row)
        else:
            planned.update({row[kc]: [row] for row in rows})
        self._fetched[table].update(row[kc] for row in rows)
        self._fresh.append((table, rows))

    def apply(self, cache: Session) -> int:
        """Decide, complete and write the rows in the caller's cache transaction; the rows
        written or deleted."""
        self._cache = cache
        cache.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in PULLED:
            self._decide(table, self._undecided[table])
        while True:
            fresh, self._fresh = self._fresh, []
            self._bring_parents(fresh)
            for table, rows in fresh:
                self._free_unique_values(table, rows)
            changed = self._keep_what_is_referred_to()
            if not self._fresh and not changed:
                break
        return self._write()

    def _session(self) -> Session:
        assert self._cache is not None, "apply() first"
        return self._cache

    def _cached(self, table: str, keys: set[uuid.UUID]) -> set[uuid.UUID]:
        kc = key_column(TABLES[table])
        found: set[uuid.UUID] = set()
        for part in chunks(keys):
            found.update(self._session().scalars(select(kc).where(kc.in_(part)).distinct()))
        return found

    def _decide(self, table: str, keys: set[uuid.UUID], *, any_hall: bool = False) -> None:
        keys = {k for k in keys if k not in self.upserts[table] and k not in self.deletes[table]}
        self._undecided[table] -= keys
        if not keys:
            return
        cached = self._cached(table, keys)
        for key in keys:
            rows = self._found[table].get(key)
            if rows and (any_hall or key in self._ours[table] or key in cached):
                self.upserts[table][key] = rows
                self._fresh.append((table, rows))
                if table in GROUPED:
                    self.replace[table].add(key)
            elif not rows and key in cached:  # gone from the centre
                if table in GROUPED:
                    self.replace[table].add(key)
                else:
                    self.deletes[table].add(key)

    def _refresh(self, table: str, keys: set[uuid.UUID], *, any_hall: bool = False) -> None:
        self.fetch(table, keys)
        self._decide(table, keys, any_hall=any_hall)

    def _bring_parents(self, fresh: list[tuple[str, list[Row]]]) -> None:
        need: dict[str, set[uuid.UUID]] = defaultdict(set)
        for table, rows in fresh:
            for column, parent in PARENTS[table]:
                need[parent].update(r[column] for r in rows if r[column] is not None)
        for parent in PULLED:
            planned, known = self.upserts[parent], self._known[parent]
            ids = {i for i in need.get(parent, ()) if i not in planned and i not in known}
            if not ids:
                continue
            ids -= self._cached(parent, ids)
            if ids:
                self._refresh(parent, ids, any_hall=True)
                lost = ids - self.upserts[parent].keys()
                if lost:
                    raise RuntimeError(f"{parent} rows referred to are not at the centre: {lost}")

    def _holders(
        self, table: str, names: tuple[str, ...], values: set[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Cached rows (id, *names) holding one of `values` of a unique key: looked up by
        all but the last column with `=` and the last with IN, so SQLite uses the key's
        index (a row value `(a, b) IN (...)` scans the whole table)."""
        t = TABLES[table]
        columns = [t.c[n] for n in names]
        by_prefix: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for value in values:
            by_prefix[value[:-1]].append(value[-1])
        for prefix, lasts in by_prefix.items():
            same = [c == v for c, v in zip(columns[:-1], prefix, strict=True)]
            for part in chunks(lasts):
                query = select(t.c.id, *columns).where(*same, columns[-1].in_(part))
                yield from self._session().execute(query)

    def _free_unique_values(self, table: str, rows: list[Row]) -> None:
        for names in UNIQUE[table]:
            wanted = {
                tuple(r[n] for n in names): r["id"]
                for r in rows
                if all(r[n] is not None for n in names)
            }
            for hit in list(self._holders(table, names, set(wanted))):
                other = hit[0]
                if wanted[tuple(hit[1:])] == other:
                    continue
                if other not in self.upserts[table] and other not in self.deletes[table]:
                    self._refresh(table, {other})
                if other in self.upserts[table]:
                    self.moved[table].add(other)

    def _leaves(self, child: str, key: uuid.UUID, column: str, parent_id: uuid.UUID) -> bool:
        """Whether the cached row `key` of `child` stops referring to `parent_id`."""
        if key in self.deletes[child]:
            return True
        planned = key in (self.replace[child] if child in GROUPED else self.upserts[child])
        rows = self.upserts[child].get(key, [])
        return planned and all(r[column] != parent_id for r in rows)

    def _keep_what_is_referred_to(self) -> bool:
        """Take back deletes of rows the station still refers to; True if the plan moved."""
        changed = False
        session = self._session()
        for table in reversed(PULLED):
            gone = self.deletes[table]
            if not gone:
                continue
            keep: set[uuid.UUID] = set()
            for part in chunks(gone):
                held = select(OUTBOX.c.row_id).where(
                    OUTBOX.c.table_name == table, OUTBOX.c.row_id.in_(part)
                )
                keep.update(session.scalars(held))
            for child, column in REFERRERS[table]:
                pulled = child.name in TABLES
                kc = key_column(child) if pulled else child.c[column]
                for part in chunks(gone - keep):
                    query = select(kc, child.c[column]).where(child.c[column].in_(part))
                    for key, parent_id in session.execute(query).all():
                        if pulled and self._leaves(child.name, key, column, parent_id):
                            continue
                        if pulled and key not in self._fetched[child.name]:
                            self._refresh(child.name, {key})
                            changed = True
                            if self._leaves(child.name, key, column, parent_id):
                                continue
                        keep.add(parent_id)
            if keep:
                log.warning("pull: %d %s rows gone at the centre are kept", len(keep), table)
                self.deletes[table] -= keep
                self.kept += len(keep)
                changed = True
        return changed

    # ---------------------------------------------------------------- writing
    def _write(self) -> int:
        session = self._session()
        written = 0
        for table in reversed(PULLED):
            t = TABLES[table]
            kc = key_column(t)
            for part in chunks(self.deletes[table] | self.replace[table]):
                done = session.execute(delete(t).where(kc.in_(part)))
                written += cast(CursorResult[Any], done).rowcount
                self._known[table].difference_update(part)
            for part in chunks(self.moved[table]):
                session.execute(delete(t).where(t.c.id.in_(part)))
        for table in PULLED:
            rows = [r for group in self.upserts[table].values() for r in group]
            if rows:
                session.execute(UPSERT[table], rows)
                written += len(rows)
                self._known[table].update(self.upserts[table])
        return written
