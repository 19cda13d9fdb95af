"""Time arithmetic in SQL that gives the same exact numbers on SQLite and PostgreSQL.

Durations are whole microseconds (BIGINT), so sums and comparisons with a target are
exact and agree with Python's `timedelta`: on PostgreSQL `EXTRACT(EPOCH FROM b - a)` is
an exact numeric; SQLite stores a time as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, see
`app.models.base.UtcDateTime`), so its seconds come from `strftime('%s')` and its
microseconds from the digits after the dot (julianday() keeps only milliseconds).

Times are grouped by the UTC quarter hour they fall in (`quarter`): every time zone's
offset is a whole number of quarter hours, so each quarter lies in one hour of the hall's
clock, which Python then names, DST and all (SQLite has no time zones).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, cast, extract, func

MICROS = 1_000_000
QUARTER_S = 900


def _sqlite_seconds(t: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.strftime("%s", t), Integer)


def _sqlite_micros(t: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.substr(t, 21, 6), Integer)  # '' (no fraction) casts to 0


def micros_between(dialect: str, a: ColumnElement[Any], b: ColumnElement[Any]) -> Any:
    """b - a in whole microseconds."""
    if dialect == "postgresql":
        return cast(extract("epoch", b - a) * MICROS, BigInteger)
    seconds = _sqlite_seconds(b) - _sqlite_seconds(a)
    return seconds * MICROS + _sqlite_micros(b) - _sqlite_micros(a)


def quarter(dialect: str, t: ColumnElement[Any]) -> Any:
    """The UTC quarter hour of `t`: seconds since the epoch // 900."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", t) / QUARTER_S), BigInteger)
    return _sqlite_seconds(t) // QUARTER_S
