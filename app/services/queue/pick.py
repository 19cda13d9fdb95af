"""Which ticket "call next" takes: the first waiting ticket in the counter's order, locked.

Queue order at a counter: effective priority (the ticket's own plus its service's weight)
first, then the counter's service order (its first service before its second), then the
original issue time, so a transferred ticket keeps its place, then the number.

Within one service that order is the order of `ix_tickets_waiting` (priority, then issue
time, then number), so the first tickets of the whole queue are among the first few of
each service: the pick reads those heads from the index, orders only them, and locks the
first it can. It never sorts the whole queue.

PostgreSQL: `FOR UPDATE SKIP LOCKED` passes over a ticket another counter is calling at
this moment. The pick reads the first k tickets of the whole queue (the first k of each
service, ordered, cut to k), k = twice the hall's counters + 1: more than the other
counters can hold locked at once, with room for those they call while the statement runs.
It takes the first of them it can lock, in the order it read them (a waiting ticket's
priority and issue time never change), which is the first of the whole queue it can
lock: any other ticket comes after all k. Should none of the k be left, it reads the
whole queue. What the statement's snapshot cannot see (a ticket issued while it ran) it
cannot pick: a call that saw tickets waiting but could take none of them says so, and is
tried again with a new snapshot (`_postgres_call`), so "nobody waits" is said only when
nobody did. SQLite has one writer at a time
(`BEGIN IMMEDIATE`): nothing is ever locked, and the first head of each service is enough.

On PostgreSQL "call next" sends the pick inside one statement (`NextTicket.call`) that
also finishes the counter's current customer, calls the picked ticket and logs both
events ('done', then 'called'): one statement where there were four. The whole-queue pick is
the second argument of a `coalesce`, so it runs only when none of the k is left, as
before. The counter's open session is locked by the statement before it (`LOCK_SESSION`,
sent in the same round trip), so this one starts with a snapshot taken after the lock
and sees the counter as the last step there left it; it acts only while that session is
open and not paused, so the client learns from the lock's row, after the round trip,
why a refused call was refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Date,
    Executable,
    bindparam,
    case,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from app.services.dto import CounterInfo, HallInfo
from app.services.hall_ref import TICKET_COLUMNS, TICKETS, WAITING, TicketRow
from app.services.queue.common import LOCK_SESSION

if TYPE_CHECKING:
    from app.models.driver_unit import DriverUnit

_CACHE_MAX = 256
# The steps' lock of the counter's open session, as psycopg gets it ("%(counter_id)s")
_LOCK_SESSION_SQL = str(LOCK_SESSION.compile(dialect=psycopg_dialect()))  # type: ignore[no-untyped-call]
_COLUMNS = ", ".join(f"tickets.{c.name}" for c in TICKET_COLUMNS)


class NextTicket:
    """The pick statements of each counter, built once: only the business day changes."""

    def __init__(self, dialect: str) -> None:
        self._postgres = dialect == "postgresql"
        self._statements: dict[tuple[Any, ...], Executable] = {}
        self._calls: dict[tuple[Any, ...], tuple[str, str]] = {}
        # counter id -> the hall and counter last asked with (the directory's objects,
        # the same until it reads the hall again) and their statements: no hashing of
        # the counter's services on every call
        self._last: dict[uuid.UUID, tuple[HallInfo, CounterInfo, tuple[str, str, str]]] = {}

    def pick(
        self, c: Connection, hall: HallInfo, counter: CounterInfo, day: date
    ) -> TicketRow | None:
        if not counter.service_ids:
            return None
        if not self._postgres:
            row = c.execute(self._statement(hall, counter, 1), {"day": day}).first()
        else:
            heads = 2 * len(hall.counters) + 1
            row = c.execute(self._statement(hall, counter, heads), {"day": day}).first()
            if row is None:
                row = c.execute(self._statement(hall, counter, 0), {"day": day}).first()
        return TicketRow._make(row) if row is not None else None

    def lock_and_call(
        self,
        unit: DriverUnit,
        hall: HallInfo,
        counter: CounterInfo,
        day: date,
        now: datetime,
        *,
        finish: bool = True,
    ) -> tuple[Any, TicketRow | None, bool]:
        """PostgreSQL only, a whole driver unit in one round trip (`Database.driver_write`:
        BEGIN, the three statements, COMMIT): the counter's open session locked
        (`LOCK_SESSION`, the steps' own statement), then the finish of its current
        customer (if any; not with `finish=False`, a retry's) and the call of the next
        (if any) for the session's clerk, each logged, which see the session as locked
        and act only while it is open and not paused. The session's row (None: closed),
        the ticket as called (None: nobody called), and whether the call was outrun
        (nobody called although its snapshot had tickets waiting: see `_postgres_call`;
        the caller tries again in a new transaction)."""
        lock, finished, call = self.call_sql(hall, counter)
        rows = unit.rows(
            (lock, finished, call) if finish else (lock, call),
            {"counter_id": counter.id, "day": day, "now": now},
            commit=True,
        )
        session, row = rows[0], rows[-1]
        if row is None:
            return session, None, False
        if row[0] is None:  # the statement's marker row: tickets waited, none was free
            return session, None, True
        return session, utc_row(row), False

    def call_sql(self, hall: HallInfo, counter: CounterInfo) -> tuple[str, str, str]:
        """The statements of call next at this counter, as the driver gets them (psycopg's
        `%(name)s` parameters): the session lock (`counter_id`), the finish and the call
        (`day`, `now`); built once."""
        if not self._postgres:
            raise RuntimeError("NextTicket.call is PostgreSQL's; SQLite picks, then updates")
        last = self._last.get(counter.id)
        if last is not None and last[0] is hall and last[1] is counter:
            return last[2]
        active = {sv.id: sv.priority_weight for sv in hall.services}
        weights = tuple(active.get(sid, 0) for sid in counter.service_ids)
        key = ("call", hall.id, counter, weights)
        sql = self._calls.get(key)
        if sql is None:
            sql = _postgres_call(hall, counter, weights)
            if len(self._calls) >= _CACHE_MAX:
                self._calls.clear()
            self._calls[key] = sql
        out = (_LOCK_SESSION_SQL, *sql)
        if len(self._last) >= _CACHE_MAX:
            self._last.clear()
        self._last[counter.id] = (hall, counter, out)
        return out

    def _statement(self, hall: HallInfo, counter: CounterInfo, heads: int) -> Executable:
        active = {sv.id: sv.priority_weight for sv in hall.services}
        weights = tuple(active.get(sid, 0) for sid in counter.service_ids)
        key = (hall.id, counter, weights, heads)
        stmt = self._statements.get(key)
        if stmt is None:
            build = _postgres_pick if self._postgres else _sqlite_pick
            stmt = build(hall.id, counter.service_ids, weights, heads)
            if len(self._statements) >= _CACHE_MAX:
                self._statements.clear()
            self._statements[key] = stmt
        return stmt


def _postgres_pick(
    hall_id: uuid.UUID, service_ids: tuple[uuid.UUID, ...], weights: tuple[int, ...], heads: int
) -> Executable:
    """The pick alone, as a statement of its own (`NextTicket.pick`)."""
    sql = _postgres_pick_sql(hall_id, service_ids, weights, heads, _COLUMNS)
    return text(sql).bindparams(bindparam("day", type_=Date)).columns(*TICKET_COLUMNS)


def _postgres_pick_sql(
    hall_id: uuid.UUID,
    service_ids: tuple[uuid.UUID, ...],
    weights: tuple[int, ...],
    heads: int,
    columns: str,
    day: str = ":day",
    gate: str = "TRUE",
) -> str:
    """The pick with the counter's constants written in (only the day is a parameter),
    its service list once. `heads` > 0: the first `heads` tickets of the queue (the first
    `heads` of each service from the waiting index, ordered, cut to `heads`), each probed
    by primary key and locked in that order; 0: the whole queue of the counter's services.
    `gate`: a condition on no ticket, false for a counter that may not call (nothing is
    read, so nothing is locked). Compact (one space between words)."""
    sids = "ARRAY[" + ",".join(_uuid(s) for s in service_ids) + "]::uuid[]"
    weight = "(ARRAY[" + ",".join(str(int(w)) for w in weights) + "]::integer[])"
    hall = _uuid(hall_id)
    services = f"unnest({sids}) WITH ORDINALITY AS s(sid, pos)"
    if heads:
        k = int(heads)
        sql = f"""SELECT {columns}
            FROM unnest(ARRAY(
                SELECT h.id FROM {services}
                CROSS JOIN LATERAL (
                    SELECT w.id, w.priority, w.queue_at, w.number FROM tickets AS w
                    WHERE {gate} AND w.hall_id = {hall} AND w.service_id = s.sid
                        AND w.business_date = {day} AND w.status = 'waiting'
                    ORDER BY w.priority DESC, w.queue_at, w.number
                    LIMIT {k}) AS h
                ORDER BY h.priority + {weight}[s.pos] DESC, s.pos, h.queue_at, h.number
                LIMIT {k})) WITH ORDINALITY AS q(id, place)
            JOIN tickets ON tickets.id = q.id
            WHERE tickets.status = 'waiting'
            ORDER BY q.place
            LIMIT 1 FOR UPDATE OF tickets SKIP LOCKED"""
    else:
        sql = f"""SELECT {columns} FROM {services}
            JOIN tickets ON {gate} AND tickets.hall_id = {hall} AND tickets.service_id = s.sid
                AND tickets.business_date = {day} AND tickets.status = 'waiting'
            ORDER BY tickets.priority + {weight}[s.pos] DESC, s.pos,
                tickets.queue_at, tickets.number
            LIMIT 1 FOR UPDATE OF tickets SKIP LOCKED"""
    return " ".join(sql.split())


def _postgres_call(
    hall: HallInfo, counter: CounterInfo, weights: tuple[int, ...]
) -> tuple[str, str]:
    """Finish, then pick, call and log, as two statements of data-modifying CTEs (see the
    module's docstring), for the driver: the day and the moment are their parameters,
    `%(day)s` and `%(now)s`. The first starts with "WITH finished AS", the second with
    "WITH called AS". Both act only while the counter's session is open and not paused
    (the gate: the statement before them locked that session), the call for the
    session's clerk: a refused call writes and locks nothing.

    The finish is a statement of its own, before the pick: a finish may wait (for a
    call elsewhere whose pick, working from an older snapshot, locked this counter's
    current ticket and keeps that lock to its end although it did not take the ticket),
    and a transaction that waits while it holds the locks of a pick can deadlock with
    another doing the same. After the pick (SKIP LOCKED) nothing waits.

    The picked ticket is called at the moment, or at its issue if that is later, and the
    current one finished at the moment, or at its call if that is later: the moment is
    taken before the round trip, and these statements' snapshots may see a ticket issued,
    or called by a step at this counter that held the lock first, a moment after it.

    A call can be outrun: its snapshot is taken when the statement starts, and while it
    runs (its backend descheduled on a busy server) other counters may call every ticket
    it sees waiting and issue new ones it cannot see. It then finds no ticket it can take
    although the queue never emptied. When nothing was called for an open counter that
    may call, the statement says whether its snapshot had any of the counter's tickets
    waiting: one row of NULLs after the called ticket's (none when nothing waited). Only
    a call that called nobody runs that test (`CASE`). The caller then tries again in a
    new transaction with a new snapshot (`QueueService`); the same goes for a ticket
    another transaction had locked and did not take."""
    at = _uuid(counter.id)
    number = int(counter.number)
    heads = 2 * len(hall.counters) + 1

    session = f"FROM counter_sessions AS cs WHERE cs.counter_id = {at} AND cs.ended_at IS NULL"
    gate = f"EXISTS (SELECT 1 {session} AND NOT cs.paused)"
    clerk = f"(SELECT cs.staff_id {session} LIMIT 1)"

    def pick(k: int) -> str:
        return _postgres_pick_sql(
            hall.id, counter.service_ids, weights, k, "tickets.id", day="%(day)s", gate=gate
        )

    def logged(kind: str, rows: str, when: str) -> str:
        return f"""INSERT INTO ticket_events (hall_id, ticket_id, kind, display_number,
                service_id, counter_number, staff_id, detail, at)
            SELECT {_uuid(hall.id)}::uuid, r.id, '{kind}',
                r.prefix || lpad(r.number::text, 3, '0'), r.service_id, {number},
                r.staff_id, '', {when}
            FROM {rows} AS r"""

    open_statuses = "('called', 'serving')"
    finish = f"""WITH finished AS (
        UPDATE tickets SET finished_at = greatest(%(now)s, tickets.called_at),
            serving_at = coalesce(tickets.serving_at, tickets.called_at, %(now)s),
            status = 'done'
        WHERE tickets.id = (
                SELECT cur.id FROM tickets AS cur
                WHERE {gate} AND cur.counter_id = {at} AND cur.status IN {open_statuses}
                LIMIT 1)
            AND tickets.status IN {open_statuses}
        RETURNING tickets.id, tickets.prefix, tickets.number, tickets.service_id,
            tickets.staff_id, tickets.finished_at
    )
    {logged("done", "finished", "r.finished_at")}"""
    outrun = ""
    if counter.service_ids:
        called_where = f"tickets.id = coalesce(({pick(heads)}), ({pick(0)}))"
        sids = "ARRAY[" + ",".join(_uuid(s) for s in counter.service_ids) + "]::uuid[]"
        waiting = f"""SELECT 1 FROM tickets AS o WHERE o.hall_id = {_uuid(hall.id)}
            AND o.service_id = ANY({sids}) AND o.business_date = %(day)s
            AND o.status = 'waiting'"""
        nulls = ", ".join("NULL" for _ in TICKET_COLUMNS)
        outrun = f""" UNION ALL SELECT {nulls} WHERE CASE WHEN EXISTS (SELECT 1 FROM called)
            THEN FALSE ELSE {gate} AND EXISTS ({waiting}) END"""
    else:
        called_where = "FALSE"  # a counter serving nothing only finishes its customer
    call = f"""WITH called AS (
        UPDATE tickets SET status = 'called',
            called_at = coalesce(tickets.called_at, greatest(%(now)s, tickets.issued_at)),
            counter_id = {at}, staff_id = {clerk}
        WHERE {called_where} AND tickets.status = 'waiting'
        RETURNING {_COLUMNS}
    ), logged AS (
        {logged("called", "called", "greatest(%(now)s, r.issued_at)")}
    )
    SELECT * FROM called{outrun}"""
    return " ".join(finish.split()), " ".join(call.split())


def utc_row(row: Sequence[Any]) -> TicketRow:
    """A ticket row as the driver returned it, its moments in UTC (the driver gives them
    in the session's time zone), as `UtcDateTime` gives them through SQLAlchemy."""
    return TicketRow._make(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row)


def _uuid(value: uuid.UUID) -> str:
    """A UUID as a SQL literal (checked to be one: nothing else is ever written in)."""
    return f"'{uuid.UUID(str(value))}'"


def _sqlite_pick(
    hall_id: uuid.UUID, service_ids: tuple[uuid.UUID, ...], weights: tuple[int, ...], heads: int
) -> Executable:
    """The first `heads` tickets of each service by the index, then the first of those in
    the counter's order, looked up by primary key."""
    t = TICKETS
    w = t.alias("w")
    firsts = [
        select(w.c.id)
        .where(
            w.c.hall_id == hall_id,
            w.c.service_id == sid,
            w.c.business_date == bindparam("day"),
            w.c.status == WAITING,
        )
        .order_by(w.c.priority.desc(), w.c.queue_at, w.c.number)
        .limit(heads)
        .subquery()
        for sid in service_ids
    ]
    selects = [select(f.c.id) for f in firsts]
    ids = union_all(*selects) if len(selects) > 1 else selects[0]
    effective = t.c.priority + case(
        dict(zip(service_ids, weights, strict=True)), value=t.c.service_id, else_=0
    )
    rank = case(
        {sid: i for i, sid in enumerate(service_ids)}, value=t.c.service_id, else_=len(service_ids)
    )
    return (
        select(*TICKET_COLUMNS)
        .where(t.c.status == WAITING, t.c.id.in_(ids))
        .order_by(effective.desc(), rank, t.c.queue_at, t.c.number)
        .limit(1)
    )
