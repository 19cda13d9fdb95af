"""Alembic migrations on SQLite and PostgreSQL: head matches the models, every released
revision upgrades to head, and upgrading again is harmless."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from app.models import Base, Hall
from app.models.db import Database
from app.models.migrate import current_revision, head_revision, revisions, upgrade


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (not the migrated test template)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin_url = make_url(request.getfixturevalue("pg_admin_url"))
    admin = create_engine(
        admin_url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"m_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def empty_db(empty_url: str) -> Iterator[Database]:
    db = Database.from_url(empty_url, use_keyring=False)
    try:
        yield db
    finally:
        db.dispose()


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))


def test_upgrade_an_empty_database_to_head(empty_db: Database) -> None:
    assert current_revision(empty_db.engine) is None
    assert inspect(empty_db.engine).get_table_names() == []
    upgrade(empty_db.engine)
    assert current_revision(empty_db.engine) == head_revision(empty_db.engine)
    tables = set(inspect(empty_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert tables - set(Base.metadata.tables) == {"alembic_version"}


def test_migrated_schema_matches_the_models(empty_db: Database) -> None:
    upgrade(empty_db.engine)
    assert _diff(empty_db) == []


def test_the_comparison_would_see_a_difference(empty_db: Database) -> None:
    """Guards the test above: a schema missing an index is reported."""
    upgrade(empty_db.engine)
    with empty_db.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_tickets_hall_day"))
    diff = _diff(empty_db)
    assert diff and "ix_tickets_hall_day" in repr(diff)


def test_partial_indexes_keep_their_conditions(empty_db: Database) -> None:
    upgrade(empty_db.engine)
    indexes = {ix["name"]: ix for ix in inspect(empty_db.engine).get_indexes("tickets")}
    assert indexes["uq_tickets_number"]["unique"]
    if empty_db.dialect == "sqlite":
        with empty_db.engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'uq_tickets_number'")
            ).scalar_one()
    else:
        with empty_db.engine.connect() as conn:
            sql = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_tickets_number'")
            ).scalar_one()
    assert "previous_id IS NULL" in sql


RELEASED = revisions(create_engine("sqlite://"))  # reads the scripts, opens nothing


def test_revisions_form_one_line() -> None:
    assert RELEASED[0] == "0001"
    assert RELEASED[-1] == head_revision(create_engine("sqlite://"))
    assert len(set(RELEASED)) == len(RELEASED)


@pytest.mark.parametrize("start", RELEASED)
def test_upgrade_from_each_released_revision(empty_db: Database, start: str) -> None:
    upgrade(empty_db.engine, start)
    assert current_revision(empty_db.engine) == start
    with empty_db.write() as s:  # rows written at that revision survive the upgrade
        s.add(Hall(id=uuid.uuid4(), code="OLD", name_zh="厅", name_en="Hall"))
    upgrade(empty_db.engine)
    assert current_revision(empty_db.engine) == head_revision(empty_db.engine)
    with empty_db.read() as s:
        assert s.scalars(select(Hall.code)).all() == ["OLD"]
    assert _diff(empty_db) == []


def test_upgrading_twice_is_harmless(empty_db: Database) -> None:
    upgrade(empty_db.engine)
    with empty_db.write() as s:
        s.add(Hall(id=uuid.uuid4(), code="KEEP", name_zh="厅", name_en="Hall"))
    upgrade(empty_db.engine)
    upgrade(empty_db.engine, "head")
    assert current_revision(empty_db.engine) == head_revision(empty_db.engine)
    with empty_db.read() as s:
        assert s.scalars(select(Hall.code)).all() == ["KEEP"]
    with empty_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_downgrade_to_base_and_back(empty_db: Database) -> None:
    from alembic import command

    from app.models.migrate import alembic_config

    upgrade(empty_db.engine)
    command.downgrade(alembic_config(empty_db.engine), "base")
    assert set(inspect(empty_db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_db.engine)
    assert _diff(empty_db) == []
