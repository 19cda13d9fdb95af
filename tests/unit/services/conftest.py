"""Fixtures of the queue service tests: the demo hall with a clock that moves when told."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Core, build_core
from app.services.clock import ManualClock
from tests.conftest import make_settings
from tests.unit.services.queue_helpers import local


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(23, 9))


@pytest.fixture
def hall(db_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    """The demo hall on SQLite and on PostgreSQL, with a clock that moves when told."""
    c = build_core(make_settings(db_url), data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield c
    finally:
        c.close()
