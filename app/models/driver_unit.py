"""A transaction on psycopg's own connection in as many round trips as it has statements.

`Database.driver_write` hands one out for the step whose cost matters at a utility's
scale, call next on PostgreSQL (docs/PERFORMANCE.md). BEGIN travels with the first
statement and COMMIT with the one marked as the last, each trip one simple query
(`BEGIN; EXECUTE ...`, `EXECUTE ...; COMMIT`) instead of a round trip of their own;
each round trip is a wake-up of the counter's process and of a server backend.

Each statement is prepared on the server once per connection (`PREPARE hd_...`, sent
in the same trip as its first use) and then only executed, so the server plans it as
it would a statement psycopg prepares itself. The parameters of `EXECUTE` are bound on
the client by psycopg's own quoting of each value (`Transformer.as_literal`, as its
`ClientCursor` binds them), and each trip goes to libpq's connection without psycopg's
cursor around it. Through PgBouncer in transaction mode a connection's prepared
statements may be on another server session: there (`Link.prepared` is None) the
statement is sent whole, its values bound the same way, and prepared nowhere.

The connections come from a pool of their own (app/models/driver_pool.py): in
autocommit, with psycopg's own preparing off. A statement that fails leaves the
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
from psycopg import generators
from psycopg.pq import ExecStatus, TransactionStatus
from psycopg.pq.abc import PGresult

from app.models.driver_pool import Link

_ROWS = ExecStatus.TUPLES_OK  # a statement's result with rows (none or more)
_DONE = ExecStatus.COMMAND_OK  # a statement's result without rows
_FAILED = ExecStatus.FATAL_ERROR
_PARAM = re.compile(r"%\((\w+)\)s")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")  # a parameter, or a % written twice
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


@dataclass(frozen=True)
class _Form:
    """A statement as sent: its prepared name and body ($1, $2, ... in the order of the
    parameters' first use), and its text around the parameters, as the EXECUTE of the
    prepared statement (`execute`) and as itself (`whole`), each a tuple of byte chunks
    with the name of the parameter between two chunks (`%%` a `%`)."""

    name: str
    params: tuple[str, ...]
    body: str
    execute: tuple[bytes | str, ...]
    whole: tuple[bytes | str, ...]


_FORMS: dict[tuple[str, str], _Form] = {}
_FORMS_MAX = 256  # a station's statements are a handful; a bound in case they are not


def _chunks(sql: str, encoding: str) -> tuple[bytes | str, ...]:
    """`sql` split at its `%(name)s` parameters: byte chunks, and names between them."""
    parts = _PLACEHOLDER.split(sql)  # text, name, text, name, ..., text ("%%": a None)
    out: list[bytes | str] = []
    text = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            text += part
        elif part is None:  # "%%"
            text += "%"
        else:
            out += [text.encode(encoding), part]
            text = ""
    return (*out, text.encode(encoding))


def _form(sql: str, encoding: str) -> _Form:
    form = _FORMS.get((sql, encoding))
    if form is None:
        names = tuple(dict.fromkeys(_PARAM.findall(sql)))
        number = {k: i for i, k in enumerate(names, 1)}
        name = "hd_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:24]
        args = f"({', '.join(f'%({k})s' for k in names)})" if names else ""
        body = _PLACEHOLDER.sub(lambda m: f"${number[m[1]]}" if m[1] else "%", sql)
        form = _Form(
            name, names, body, _chunks(f"EXECUTE {name}{args}", encoding), _chunks(sql, encoding)
        )
        if len(_FORMS) >= _FORMS_MAX:
            _FORMS.clear()
        _FORMS[(sql, encoding)] = form
    return form


def _server_type(value: Any) -> str | None:
    return next((name for kind, name in _TYPES if isinstance(value, kind)), None)


class DriverUnit:
    """A transaction's statements, each trip one simple query on libpq's connection
    (`PGconn.send_query`), without psycopg's cursor: its results read as they come, the
    first row of each by psycopg's own loaders (`Transformer`), the values bound by its
    own quoting (`Transformer.as_literal`). The cursor's machinery around one trip cost
    about as much client CPU as the rest of call next (docs/PERFORMANCE.md)."""

    def __init__(self, link: Link) -> None:
        self._conn = link.conn
        self._prepared = link.prepared
        self._tx = link.tx
        self._encoding = link.encoding
        self._begin = link.begin
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
        head: list[bytes] = []
        sent: list[bytes] = []
        names: list[str] = []
        literal = self._tx.as_literal
        for sql in statements:
            prepare, chunks, name = self._statement(sql, params)
            head += prepare
            sent.append(b"".join(c if isinstance(c, bytes) else literal(params[c]) for c in chunks))
            if name is not None:
                names.append(name)
        if not self._open:
            head.append(self._begin)
        results = self._send(b"; ".join([*head, *sent, *([b"COMMIT"] if commit else [])]))
        self._open = True
        if self._prepared is not None:
            self._prepared.update(names)
        out: list[Any] = []
        tx = self._tx
        for res in results[len(head) : len(head) + len(sent)]:
            if res.status == _ROWS and res.ntuples:
                tx.set_pgresult(res)
                out.append(tx.load_row(0, tuple))
            else:
                out.append(None)
        self._committed = commit
        return out

    def _statement(
        self, sql: str, params: Mapping[str, Any]
    ) -> tuple[list[bytes], tuple[bytes | str, ...], str | None]:
        """What to send before the statement (its PREPARE, the first time on this
        connection), the statement's chunks as sent, and the name it was prepared under now."""
        form = _form(sql, self._encoding)
        if self._prepared is None:
            return [], form.whole, None
        if form.name in self._prepared:
            return [], form.execute, None
        types = [_server_type(params[k]) for k in form.params]
        if None in types:  # a NULL has no type to prepare with: sent whole
            return [], form.whole, None
        declared = f"({', '.join(t for t in types if t)})" if form.params else ""
        prepare = f"PREPARE {form.name}{declared} AS {form.body}".encode(self._encoding)
        return [prepare], form.execute, form.name

    def _send(self, query: bytes) -> list[PGresult]:
        """One simple query, one round trip: its results. A statement that failed is
        raised as psycopg raises it (the server ran none after it in the query)."""
        conn = self._conn
        with conn.lock:
            conn.pgconn.send_query(query)
            results: list[PGresult] = conn.wait(generators.execute(conn.pgconn))
        for res in results:
            status = res.status
            if status == _FAILED:
                raise psycopg.errors.error_from_result(res, encoding=self._encoding)
            if status not in (_ROWS, _DONE):
                raise psycopg.InternalError(f"unexpected result: {ExecStatus(status).name}")
        return results

    def commit(self) -> None:
        """Commit a transaction no statement committed (one round trip), if one is open."""
        if self._open and not self._committed:
            self._send(b"COMMIT")
            self._committed = True

    def rollback(self) -> None:
        """End an open or aborted transaction; nothing to do on a committed one."""
        if self._conn.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        ):
            self._send(b"ROLLBACK")

    def close(self) -> bool:
        """True if the connection is idle, fit to go back to the pool."""
        return self._conn.info.transaction_status == TransactionStatus.IDLE
