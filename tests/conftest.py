"""Shared fixtures: real SQLite files, a real PostgreSQL server, offscreen Qt.

PostgreSQL: `HALLDESK_TEST_DATABASE_URL` if given (a server whose user may create
databases), else a throw-away cluster started here (tests/pg_server.py). Each test gets
its own database cloned from a migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("HALLDESK_DATABASE_URL", None)

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.simulation.demo_hall import ensure_demo_hall
from app.settings import DatabaseSettings, Settings
from tests.fakes.memory_keyring import MemoryKeyring

keyring.set_keyring(MemoryKeyring())

TEMPLATE = "halldesk_template"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    given = os.environ.get("HALLDESK_TEST_DATABASE_URL")
    if given:
        yield given
        return
    from tests.pg_server import PgServer

    server = PgServer()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def _admin_engine(url: str):  # type: ignore[no-untyped-def]
    u = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(u, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> str:
    """A database with the schema and the demo hall, cloned for each test."""
    admin = _admin_engine(pg_admin_url)
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        c.execute(text(f"CREATE DATABASE {TEMPLATE}"))
    admin.dispose()
    url = make_url(pg_admin_url).set(database=TEMPLATE).render_as_string(hide_password=False)
    db = Database.from_url(url, use_keyring=False)
    upgrade(db.engine)
    ensure_demo_hall(db, accounts=0)  # the book only where a test asks for it
    db.dispose()
    return url


@contextmanager
def new_database(admin_url: str, template: str | None) -> Iterator[str]:
    """A database of its own on the test server (a copy of `template`, or empty), dropped
    afterwards; its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(admin_url)
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def pg_url(pg_admin_url: str, pg_template: str) -> Iterator[str]:
    with new_database(pg_admin_url, TEMPLATE) as url:
        yield url


@pytest.fixture
def empty_pg_url(pg_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database (no schema): a hall database before its first start."""
    with new_database(pg_admin_url, None) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite3'}"


def make_settings(url: str, **station: object) -> Settings:
    s = Settings(database=DatabaseSettings(url=url))
    if station:
        s = replace(s, station=replace(s.station, **station))  # type: ignore[arg-type]
    return s


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def core(db_url: str, tmp_path: Path) -> Iterator[Core]:
    c = build_core(make_settings(db_url), data_dir=tmp_path, demo=True)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def sqlite_core(sqlite_url: str, tmp_path: Path) -> Iterator[Core]:
    c = build_core(make_settings(sqlite_url), data_dir=tmp_path, demo=True)
    try:
        yield c
    finally:
        c.close()
