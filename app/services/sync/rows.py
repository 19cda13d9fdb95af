"""Rows as the outbox keeps them: a table's columns as JSON, and back.

UUIDs, datetimes and dates are written as text (ISO 8601, UTC offsets kept) and read back
by the column's type, so a row reaches the central database with the very values the
station committed. Money is integer fen already; nothing passes through float.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Column, Date, DateTime, Table, Uuid

from app.models.base import UtcDateTime


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(values: dict[str, Any]) -> str:
    """A row's column values as one JSON object (sorted keys: the same row, the same text)."""
    return json.dumps({k: _plain(v) for k, v in values.items()}, sort_keys=True, ensure_ascii=False)


def _converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, Uuid):
        return uuid.UUID
    if isinstance(kind, UtcDateTime | DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    return None


@cache
def _converters(table: Table) -> dict[str, Callable[[Any], Any] | None]:
    return {name: _converter(column) for name, column in table.c.items()}


def from_json(table: Table, payload: str) -> dict[str, Any]:
    """The row of `table` that `to_json` wrote; unknown keys are an error (a newer schema)."""
    raw = json.loads(payload)
    convert = _converters(table)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in convert:
            raise ValueError(f"{table.name}: a column this schema does not have: {name}")
        fn = convert[name]
        out[name] = fn(value) if fn is not None and value is not None else value
    return out
