"""A transaction on psycopg's own connection in as many round trips as it has statements.

`Database.driver_write` hands one out for the step whose cost matters at a utility's
scale, call next on PostgreSQL (docs/PERFORMANCE.md). BEGIN travels with the first
statement and COMMIT with the one marked as the last, each trip one simple query
(`BEGIN; EXECUTE ...`, `EXECUTE ...; COMMIT`) instead of a round trip of their own;
each round trip is a wake-up of the counter's process and of a server backend.

Each statement is prepared on the server once per connection (`PREPARE hd_...`, sent
in the same trip as its first use) and then only executed, so the server plans it as
it would a statement psycopg prepares itself. The parameters of `EXECUTE` are bound on
the client by psycopg (`ClientCursor`, its own quoting of each value). Through PgBouncer
in transaction mode a connection's prepared statements may be on another server
session: there (`prepared=None`) the statement is sent whole, its values bound the
same way, and prepared nowhere.

The connections come from a pool of their own (`driver_engine`): in autocommit, so that
psycopg sends no BEGIN of its own, and with psycopg's own preparing off, so that nothing
deallocates the statements prepared here (psycopg sends `DEALLOCATE ALL` after a
rollback when it has prepared statements itself). A statement that fails leaves the
transaction aborted (the server skips what follows it in the same query, COMMIT
included); `rollback` ends it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from app.models.idle_ping import IDLE_PING_S, PGBOUNCER_IDLE_PING_S, IdlePing

_ROWS = ExecStatus.TUPLES_OK  # a statement's result with rows (none or more)
PREPARED_KEY = "halldesk_prepared"  # the pool record's info: names prepared on it
_PARAM = re.compile(r"%\((\w+)\)s")
# the server's type of a parameter, from its Python value (bool before int, datetime
# before date: each a subclass of the next)
_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "bigint"),
    (datetime, "timestamptz"),
    (date, "date"),
    (uuid.UUID, "uuid"),
    (str, "text"),
)


def driver_engine(url: URL, *, pool_size: int, pgbouncer: bool) -> Engine:
    """The pool of driver units' connections (see the module docstring)."""
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # `driver_write` returns a connection only when idle (else it invalidates it):
        # nothing to roll back on its return
        pool_reset_on_return=None,
        connect_args={
            "connect_timeout": 5,
            "application_name": "halldesk",
            "prepare_threshold": None,
        },
    )

    @event.listens_for(engine, "connect")
    def _autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.autocommit = True

    IdlePing(engine, PGBOUNCER_IDLE_PING_S if pgbouncer else IDLE_PING_S)
    return engine


@dataclass(frozen=True)
class _Form:
    """A statement as prepared: its name, its body ($1, $2, ... in the order of the
    parameters' first use) and its EXECUTE with psycopg's parameters."""

    name: str
    params: tuple[str, ...]
    body: str
    execute: str


_FORMS: dict[str, _Form] = {}
_FORMS_MAX = 256  # a station's statements are a handful; a bound in case they are not


def _form(sql: str) -> _Form:
    form = _FORMS.get(sql)
    if form is None:
        names = tuple(dict.fromkeys(_PARAM.findall(sql)))
        number = {k: i for i, k in enumerate(names, 1)}
        name = "hd_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:24]
        args = f"({', '.join(f'%({k})s' for k in names)})" if names else ""
        body = _PARAM.sub(lambda m: f"${number[m[1]]}", sql)
        form = _Form(name, names, body, f"EXECUTE {name}{args}")
        if len(_FORMS) >= _FORMS_MAX:
            _FORMS.clear()
        _FORMS[sql] = form
    return form


def _server_type(value: Any) -> str | None:
    return next((name for kind, name in _TYPES if isinstance(value, kind)), None)


class DriverUnit:
    def __init__(self, conn: psycopg.Connection[Any], prepared: set[str] | None) -> None:
        self._conn = conn
        self._prepared = prepared
        self._cur: psycopg.ClientCursor[Any] = psycopg.ClientCursor(conn)
        level = conn.isolation_level
        self._begin = "BEGIN" if level is None else f"BEGIN ISOLATION LEVEL {level.name}"
        self._begin = self._begin.replace("_", " ")
        self._open = False
        self._committed = False

    def one(self, sql: str, params: Mapping[str, Any], *, commit: bool = False) -> Any:
        """Run `sql` (psycopg's `%(name)s` parameters) in one round trip; its first row,
        or None. The first statement opens the transaction; `commit=True` commits it
        with this statement, and no statement may follow."""
        return self.rows([sql], params, commit=commit)[0]

    def rows(
        self, statements: Sequence[str], params: Mapping[str, Any], *, commit: bool = False
    ) -> list[Any]:
        """Run `statements` one after the other in one round trip, each with its own
        snapshot (READ COMMITTED), their parameters from `params`; the first row of each,
        or None. The first trip opens the transaction; `commit=True` commits it with
        these statements, and no statement may follow."""
        if self._committed:
            raise RuntimeError("the unit was committed with its last statement")
        head: list[str] = []
        sent: list[str] = []
        names: list[str] = []
        for sql in statements:
            prepare, text, name = self._statement(sql, params)
            head += prepare
            sent.append(text)
            if name is not None:
                names.append(name)
        if not self._open:
            head.append(self._begin)
        cur = self._cur
        cur.execute("; ".join([*head, *sent, *(["COMMIT"] if commit else [])]), params)
        self._open = True
        if self._prepared is not None:
            self._prepared.update(names)
        for _ in head:
            cur.nextset()  # past PREPARE's and BEGIN's results
        out = []
        for k in range(len(sent)):
            if k:
                cur.nextset()
            # the result's status, not `description`: that builds a Column per column
            res = cur.pgresult
            out.append(cur.fetchone() if res is not None and res.status == _ROWS else None)
        self._committed = commit
        return out

    def _statement(self, sql: str, params: Mapping[str, Any]) -> tuple[list[str], str, str | None]:
        """What to send before the statement (its PREPARE, the first time on this
        connection), the statement as sent, and the name it was prepared under now."""
        if self._prepared is None:
            return [], sql, None
        form = _form(sql)
        if form.name in self._prepared:
            return [], form.execute, None
        types = [_server_type(params[k]) for k in form.params]
        if None in types:  # a NULL has no type to prepare with: sent whole
            return [], sql, None
        declared = f"({', '.join(t for t in types if t)})" if form.params else ""
        return [f"PREPARE {form.name}{declared} AS {form.body}"], form.execute, form.name

    def commit(self) -> None:
        """Commit a transaction no statement committed (one round trip), if one is open."""
        if self._open and not self._committed:
            self._cur.execute("COMMIT")
            self._committed = True

    def rollback(self) -> None:
        """End an open or aborted transaction; nothing to do on a committed one."""
        if self._conn.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        ):
            self._cur.execute("ROLLBACK")

    def close(self) -> bool:
        """True if the connection is idle, fit to go back to the pool."""
        self._cur.close()
        return self._conn.info.transaction_status == TransactionStatus.IDLE
