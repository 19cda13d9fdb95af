"""Rows as the outbox keeps them: a table's columns as JSON, and back.

UUIDs, datetimes and dates are written as text (ISO 8601, UTC offsets kept) and read back
by the column's type, so a row reaches the central database with the very values the
station committed. Money is integer fen already; nothing passes through float.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
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


def _typed(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Uuid):
        return uuid.UUID(value)
    if isinstance(kind, UtcDateTime | DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def from_json(table: Table, payload: str) -> dict[str, Any]:
    """The row of `table` that `to_json` wrote; unknown keys are an error (a newer schema)."""
    raw = json.loads(payload)
    unknown = set(raw) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name}: columns this schema does not have: {sorted(unknown)}")
    return {name: _typed(table.c[name], value) for name, value in raw.items()}
