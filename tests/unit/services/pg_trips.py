"""Call next on PostgreSQL as the server gets it: its round trips read off the wire
(tests/pg_wire.py) and the statements of `QueueService.call_sql` as they are sent."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.bootstrap import Core
from app.models import Ticket
from tests.pg_wire import WireTap


def trips_of(tap: WireTap, step: object) -> list[list[str]]:
    """The round trips of one call (`step` a no-argument callable), as the server got them;
    BEGIN as "BEGIN" whether or not it names the isolation level."""
    tap.clear()
    step()  # type: ignore[operator]
    return [["BEGIN" if st.startswith("BEGIN") else st for st in trip] for trip in tap.trips()]


PARAM = r"%\((\w+)\)s"
VALUE = r"'[^']*'::[a-z]+"  # a value bound by psycopg on the client


def whole_form(statement: str) -> re.Pattern[str]:
    """A statement of `call_sql` as sent whole (through PgBouncer): each parameter a
    value bound on the client."""
    parts = re.split(PARAM, " ".join(statement.split()))[::2]
    return re.compile(VALUE.join(re.escape(p) for p in parts))


def prepared_form(statement: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A statement of `call_sql` as prepared and as executed: its PREPARE (once per
    connection; the parameters numbered in the order of their first use, the statement's
    name a group) and its EXECUTE (the same name, each value bound on the client)."""
    names = list(dict.fromkeys(re.findall(PARAM, statement)))
    number = {k: i for i, k in enumerate(names, 1)}
    body = re.sub(PARAM, lambda m: f"${number[m[1]]}", " ".join(statement.split()))
    prepare = re.compile(r"PREPARE (hd_\w+)\([a-z, ]+\) AS " + re.escape(body))
    execute = re.compile(r"EXECUTE (hd_\w+)\(" + ", ".join([VALUE] * len(names)) + r"\)")
    return prepare, execute


def trips_are(trips: list[list[str]], *expected: list[str | re.Pattern[str]]) -> bool:
    """The round trips are the expected ones, a pattern matching a whole statement; a
    statement prepared under a name is executed under that name."""

    def same(got: str, want: str | re.Pattern[str]) -> bool:
        return bool(want.fullmatch(got)) if isinstance(want, re.Pattern) else want == got

    fits = len(trips) == len(expected) and all(
        len(got) == len(want) and all(map(same, got, want))
        for got, want in zip(trips, expected, strict=True)
    )
    sent = [st for trip in trips for st in trip]
    named = {m[1] for st in sent if (m := re.match(r"PREPARE (hd_\w+)", st))}
    run = {m[1] for st in sent if (m := re.match(r"EXECUTE (hd_\w+)", st))}
    return fits and named <= run


def warm(hall: Core) -> None:
    """The driver units' pool connected (its first connection reads the server's
    version and settings), as after a station's first call next."""
    with hall.db.driver_write() as unit:
        assert unit.one("SELECT %(n)s::int", {"n": 1}) == (1,)


def call_into(out: list[object], fn: Any, *args: object) -> None:
    out.append(fn(*args))


def statuses(hall: Core) -> list[str]:
    with hall.db.read() as s:
        return list(s.execute(select(Ticket.status).order_by(Ticket.number)).scalars())
