"""Shared by the queue tests: moments in the hall's time zone, logging in, and a full dump
of the queue tables to prove that a refused step changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app.bootstrap import Core
from app.models.db import Database
from app.services.errors import DomainError

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALL = "DEMO"
QUEUE_TABLES = ("tickets", "ticket_events", "ticket_series", "counter_sessions", "counter_pauses")


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in the hall's time zone in November 2026."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


def login(core: Core, counter: int, job_number: str | None = None) -> None:
    """Clerk 100<counter> logs in at the counter."""
    staff = core.auth.login(job_number or f"{1000 + counter}", "1234")
    core.counters.open_session(HALL, counter, staff)


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the queue tables, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in QUEUE_TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def assert_refused(core: Core, code: str, step: Callable[[], object]) -> DomainError:
    """The step raises DomainError `code` and leaves every queue table as it was."""
    before = dump(core.db)
    with pytest.raises(DomainError) as caught:
        step()
    assert caught.value.code == code, caught.value.message
    assert dump(core.db) == before
    return caught.value


def status_of(core: Core, display_number: str) -> list[str]:
    """Statuses of every leg with that printed number today, oldest leg first."""
    with core.db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status FROM tickets WHERE prefix = :p AND number = :n ORDER BY transfers"),
            {"p": display_number[0], "n": int(display_number[1:])},
        ).all()
    return [r[0] for r in rows]
