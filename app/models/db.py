"""Engines and sessions for the central database (PostgreSQL or embedded SQLite).

SQLite runs in WAL mode with `synchronous=FULL`, a busy timeout, and `BEGIN IMMEDIATE`
for every writing unit of work, so two writers never interleave and "call next" is
atomic; the threads of one process take turns at writing a file (`WriterTurns`). Read-only
units of work use a deferred `BEGIN` and never block writers; on PostgreSQL they run in
autocommit, each statement with its own snapshot as under READ COMMITTED.

PostgreSQL may be reached through a PgBouncer in transaction mode (`pgbouncer=True`): each
transaction may then run on another server session, so nothing may live in a session.
psycopg prepares no statements then (a prepared statement belongs to one session); the
rest already holds: isolation levels go with each BEGIN, `SET TRANSACTION` only, no
advisory locks, no temporary tables, and the change listener connects to PostgreSQL
itself (app.services.sync.listen).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.models.idle_ping import IDLE_PING_S, PGBOUNCER_IDLE_PING_S, IdlePing

if TYPE_CHECKING:
    from app.models.driver_pool import DriverPool
    from app.models.driver_unit import DriverUnit

log = logging.getLogger(__name__)

KEYRING_SERVICE = "halldesk-database"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def keyring_account(url: URL) -> str:
    """The keyring account name a database password is stored under."""
    return f"{url.username}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def normalise_url(raw: str, *, use_keyring: bool = True) -> URL:
    """Pick the psycopg 3 driver for PostgreSQL and fetch a missing password from keyring."""
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    needs_password = url.username and url.password is None
    if url.get_backend_name() == "postgresql" and needs_password and use_keyring:
        password = _keyring_password(url)
        if password:
            url = url.set(password=password)
    return url


def _keyring_password(url: URL) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, keyring_account(url))
        except KeyringError as exc:  # no backend on a headless box
            log.warning("keyring unavailable (%s); connecting without a stored password", exc)
            return None
    except ImportError:  # pragma: no cover - keyring is a hard dependency
        return None


def _sqlite_listeners(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("halldesk_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    raw_url: str | URL, *, pool_size: int = 10, use_keyring: bool = True, pgbouncer: bool = False
) -> Engine:
    url = raw_url if isinstance(raw_url, URL) else normalise_url(raw_url, use_keyring=use_keyring)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":  # one connection for all threads
            engine = create_engine(
                url, connect_args={"check_same_thread": False}, poolclass=StaticPool
            )
            _sqlite_listeners(engine)
            return engine
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _sqlite_listeners(engine)
        return engine
    if backend == "postgresql":
        connect_args: dict[str, Any] = {"connect_timeout": 5, "application_name": "halldesk"}
        if pgbouncer:  # no server-side prepared statements (see the module docstring)
            connect_args["prepare_threshold"] = None
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=pool_size, connect_args=connect_args
        )
        # instead of a ping at every check-out
        IdlePing(engine, PGBOUNCER_IDLE_PING_S if pgbouncer else IDLE_PING_S)

        return engine
    raise ValueError(f"unsupported database '{backend}': use postgresql:// or sqlite:///")


class WriterTurns:
    """First come, first served turns at writing one SQLite file within this process.

    SQLite has one writer at a time; a writer that finds the file locked polls with growing
    sleeps and can lose every race for longer than the busy timeout while other threads keep
    winning ("database is locked" under load). Threads of this process therefore queue here,
    in order, and only other processes meet SQLite's busy handler. A thread that asks for a
    second turn while holding one gets an error, not a deadlock: units of work never nest.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._serving = 0
        self._owner: int | None = None

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                raise RuntimeError("a writing unit of work was opened inside another one")
            turn = self._next
            self._next += 1
            while turn != self._serving:
                self._cond.wait()
            self._owner = me

    def release(self) -> None:
        with self._cond:
            self._owner = None
            self._serving += 1
            self._cond.notify_all()


_turns_lock = threading.Lock()
_turns_by_file: dict[str, WriterTurns] = {}


def writer_turns(engine: Engine) -> WriterTurns | None:
    """The turns of the SQLite file behind `engine` (shared by every engine on that file);
    None for PostgreSQL, whose row locks need no such help, and for in-memory SQLite."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    key = os.path.normcase(os.path.realpath(database))
    with _turns_lock:
        return _turns_by_file.setdefault(key, WriterTurns())


class Database:
    """One engine and its unit-of-work sessions. Create it in the bootstrap, never at import."""

    def __init__(self, engine: Engine, *, pgbouncer: bool = False) -> None:
        self.engine = engine
        self._pgbouncer = pgbouncer
        self._driver: DriverPool | None = None  # driver_write's pool, made at its first use
        self._driver_lock = threading.Lock()
        self._turns = writer_turns(engine)
        self._write = sessionmaker(engine, expire_on_commit=False)
        reader = engine.execution_options(halldesk_readonly=True)
        if engine.dialect.name == "postgresql":
            # Each statement of a read sees what was committed when it started, as it would
            # inside a READ COMMITTED transaction, without the BEGIN and COMMIT round trips.
            reader = reader.execution_options(isolation_level="AUTOCOMMIT")
        self._read = sessionmaker(reader, expire_on_commit=False)

    @classmethod
    def from_url(
        cls, url: str, *, pool_size: int = 10, use_keyring: bool = True, pgbouncer: bool = False
    ) -> Database:
        return cls(
            make_engine(url, pool_size=pool_size, use_keyring=use_keyring, pgbouncer=pgbouncer),
            pgbouncer=pgbouncer,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def listen_writes(self, name: str, fn: Any) -> None:
        """Attach a Session event (e.g. "after_flush") to this database's writing units
        of work only (the station cache's outbox capture)."""
        event.listen(self._write, name, fn)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One writing unit of work: committed on success, rolled back on any error."""
        if self._turns is not None:
            self._turns.acquire()
        try:
            session = self._write()
            try:
                with session.begin():
                    yield session
            finally:
                session.close()
        finally:
            if self._turns is not None:
                self._turns.release()

    @contextmanager
    def driver_write(self) -> Iterator[DriverUnit]:
        """A writing unit of work on a driver connection of its own pool (psycopg, in
        autocommit), without a Session or SQLAlchemy's statement machinery, BEGIN and
        COMMIT sent with its first and last statements, each statement prepared once
        per connection (`DriverUnit`): for the one step whose cost matters at a
        utility's scale, call next on PostgreSQL (see docs/PERFORMANCE.md). Committed
        on success, rolled back on any error. A driver error comes out as SQLAlchemy's
        (`OperationalError` for a server out of reach, as from `write`) and its
        connection leaves the pool, with whatever it had prepared."""
        if self.dialect != "postgresql":
            raise RuntimeError("driver_write is for PostgreSQL; use write()")
        import psycopg

        from app.models.driver_unit import DriverUnit

        pool = self._driver_pool()
        try:  # a refused connection: the driver's own error
            link = pool.get()
        except psycopg.Error as exc:
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
        fit = False
        try:
            unit = DriverUnit(link)
            failed = False
            try:
                yield unit
                unit.commit()
            except BaseException as exc:
                failed = isinstance(exc, psycopg.Error)
                with suppress(psycopg.Error):  # a lost connection cannot roll back
                    unit.rollback()
                raise
            finally:
                # after a driver error, what the connection has prepared is not known
                fit = unit.close() and not failed
        except psycopg.Error as exc:
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
        finally:  # lost, in a transaction, or after a driver error: closed, not kept
            pool.put(link, fit=fit)

    def _driver_pool(self) -> DriverPool:
        """driver_write's pool, made at its first use: as many idle connections as the
        engine's pool keeps, to the same server as the same user."""
        with self._driver_lock:
            if self._driver is None:
                from app.models.driver_pool import DriverPool

                sized = getattr(self.engine.pool, "size", None)  # QueuePool's; NullPool has none
                _args, connect = self.engine.dialect.create_connect_args(self.engine.url)
                self._driver = DriverPool(
                    connect,
                    size=sized() if callable(sized) else 1,
                    pgbouncer=self._pgbouncer,
                )
            return self._driver

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._read()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._driver is not None:
            self._driver.dispose()
