"""The database layer: SQLite pragmas and immediate writes, rollback, UTC times, keyring."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select, text

from app.models import Hall
from app.models.db import (
    KEYRING_SERVICE,
    Database,
    keyring_account,
    make_engine,
    normalise_url,
    writer_turns,
)
from app.models.migrate import upgrade


def _hall(code: str) -> Hall:
    return Hall(id=uuid.uuid4(), code=code, name_zh="厅", name_en="Hall", timezone="Asia/Shanghai")


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Database:
    db = Database.from_url(sqlite_url)
    upgrade(db.engine)
    yield db  # type: ignore[misc]
    db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, sqlite_url: str) -> Database:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    db = Database.from_url(url)
    upgrade(db.engine)
    yield db  # type: ignore[misc]
    db.dispose()


def test_sqlite_pragmas_are_in_force(sqlite_db: Database) -> None:
    for unit in (sqlite_db.read, sqlite_db.write):
        with unit() as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert s.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_sqlite_writes_begin_immediate_and_reads_do_not_block(
    sqlite_db: Database, sqlite_url: str
) -> None:
    path = sqlite_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with sqlite_db.write() as s:
            s.execute(text("SELECT 1"))  # no write yet, but the write lock is taken
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            with sqlite_db.read() as r:  # a reader still reads (WAL, deferred BEGIN)
                assert r.scalar(select(func.count()).select_from(Hall)) == 0
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_threads_take_turns_at_writing_a_sqlite_file(sqlite_db: Database, sqlite_url: str) -> None:
    other = Database.from_url(sqlite_url)  # another engine on the same file
    try:
        assert writer_turns(other.engine) is writer_turns(sqlite_db.engine) is not None
        order: list[str] = []

        def late_writer(name: str) -> None:
            with other.write() as s:
                order.append(name)
                s.add(_hall(name))

        with sqlite_db.write() as s:
            s.add(_hall("FIRST"))
            threads = []
            for name in ("SECOND", "THIRD", "FOURTH"):
                t = threading.Thread(target=late_writer, args=(name,))
                t.start()
                threads.append(t)
                time.sleep(0.05)  # queue up in this order
            order.append("FIRST")
        for t in threads:
            t.join(timeout=10)
        assert order == ["FIRST", "SECOND", "THIRD", "FOURTH"]
        with pytest.raises(RuntimeError, match="inside another"), sqlite_db.write(), other.write():
            pass  # pragma: no cover - refused before
        with sqlite_db.write() as s:  # the refused nesting left no turn behind
            assert s.scalar(select(func.count()).select_from(Hall)) == 4
    finally:
        other.dispose()


def test_postgres_and_memory_need_no_turns(pg_url: str) -> None:
    db = Database.from_url(pg_url)
    try:
        assert writer_turns(db.engine) is None
    finally:
        db.dispose()
    memory = Database.from_url("sqlite://")
    try:
        assert writer_turns(memory.engine) is None
        upgrade(memory.engine)  # an in-memory database works, from any thread
        with memory.write() as s:
            s.add(_hall("MEM"))
        seen: list[int] = []

        def read_elsewhere() -> None:
            with memory.read() as s:
                seen.append(len(s.scalars(select(Hall)).all()))

        reader = threading.Thread(target=read_elsewhere)
        reader.start()
        reader.join(timeout=10)
        assert seen == [1]
    finally:
        memory.dispose()


def test_a_failing_unit_of_work_rolls_back(any_db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), any_db.write() as s:
        s.add(_hall("H1"))
        s.flush()
        assert s.scalar(select(func.count()).where(Hall.code == "H1")) == 1
        raise Boom
    with any_db.write() as s:
        s.add(_hall("H2"))
    with any_db.read() as s:
        assert s.scalars(select(Hall.code).where(Hall.code.like("H%"))).all() == ["H2"]


def test_a_constraint_violation_rolls_back_the_whole_unit(any_db: Database) -> None:
    with any_db.write() as s:
        s.add(_hall("H1"))
    with pytest.raises(Exception, match="(?i)unique"), any_db.write() as s:
        s.add(_hall("H2"))
        s.flush()
        s.add(_hall("H1"))
    with any_db.read() as s:
        assert s.scalars(select(Hall.code).where(Hall.code.like("H%"))).all() == ["H1"]


def test_times_come_back_aware_utc(any_db: Database) -> None:
    from app.models.base import UtcDateTime

    shanghai = timezone(timedelta(hours=8))
    col = UtcDateTime()
    when = datetime(2026, 11, 23, 9, 30, tzinfo=shanghai)
    bound = col.process_bind_param(when, any_db.engine.dialect)
    assert bound is not None and bound.hour == 1
    back = col.process_result_value(bound, any_db.engine.dialect)
    assert back == when and back is not None and back.tzinfo == UTC
    with pytest.raises(ValueError, match="naive"):
        col.process_bind_param(datetime(2026, 11, 23, 9, 30), any_db.engine.dialect)


def test_missing_password_comes_from_the_keyring() -> None:
    raw = "postgresql://hall@db.example.cn:5433/halldesk"
    account = keyring_account(normalise_url(raw, use_keyring=False))
    assert account == "hall@db.example.cn:5433/halldesk"
    assert normalise_url(raw).password is None  # nothing stored yet
    keyring.set_password(KEYRING_SERVICE, account, "s3cret")
    try:
        url = normalise_url(raw)
        assert url.drivername == "postgresql+psycopg" and url.password == "s3cret"
        assert make_engine(raw).url.password == "s3cret"
        assert normalise_url(raw, use_keyring=False).password is None
        # A password in the URL is kept; the default port names the same account.
        assert normalise_url("postgresql://hall:given@db.example.cn:5433/halldesk").password == (
            "given"
        )
        assert keyring_account(normalise_url("postgres://hall@h/d")) == "hall@h:5432/d"
    finally:
        keyring.delete_password(KEYRING_SERVICE, account)


def test_the_keyring_service_name_is_defined_once() -> None:
    """models.db owns it (it reads the password); the settings may not import models."""
    import app

    app_dir = Path(app.__file__).parent
    defining = sorted(
        str(py.relative_to(app_dir))
        for py in app_dir.rglob("*.py")
        if "KEYRING_SERVICE =" in py.read_text(encoding="utf-8")
    )
    assert defining == ["models/db.py"]
    assert KEYRING_SERVICE == "halldesk-database"  # where stored passwords already live


def test_sqlite_urls_skip_the_keyring(tmp_path: Path) -> None:
    url = normalise_url(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert url.drivername == "sqlite" and url.password is None


def test_unsupported_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        make_engine("mysql+pymysql://u@h/d")
