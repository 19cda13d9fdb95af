"""Fixtures of the queue service tests: the demo hall with a clock that moves when told,
and on PostgreSQL through a tap that records what the server got."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.services.clock import ManualClock
from tests.conftest import make_settings
from tests.pg_wire import WireTap
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


@pytest.fixture
def tap(pg_url: str) -> Iterator[WireTap]:
    """A proxy in front of the test server that records each round trip's statements."""
    u = make_url(pg_url)
    proxy = WireTap(u.host or "127.0.0.1", u.port or 5432).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def tapped_hall(pg_url: str, tap: WireTap, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    """The demo hall on PostgreSQL through a tap on the wire (`tap`: what the server got)."""
    c = build_core(make_settings(tap.url(pg_url)), data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield c
    finally:
        c.close()
