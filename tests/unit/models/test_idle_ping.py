"""A pooled PostgreSQL connection is pinged before use only after it sat idle, and a dead
idle one is replaced without the caller noticing."""

from __future__ import annotations

from sqlalchemy import text

from app.models.db import make_engine
from app.models.idle_ping import IDLE_PING_S, PGBOUNCER_IDLE_PING_S, IdlePing


def test_busy_connections_are_not_pinged_idle_ones_are_and_dead_ones_replaced(
    pg_url: str,
) -> None:
    engine = make_engine(pg_url, pool_size=1, use_keyring=False)
    try:
        ping = IdlePing.of(engine)
        assert ping is not None
        with engine.connect() as c:
            first_pid = c.execute(text("SELECT pg_backend_pid()")).scalar_one()
        for _ in range(5):  # back to back: no round trip spent on pinging
            with engine.connect() as c:
                assert c.execute(text("SELECT pg_backend_pid()")).scalar_one() == first_pid
        assert ping.pings == 0
        ping.idle_s = 0.0  # from now on every returned connection counts as idle
        with engine.connect() as c:
            assert c.execute(text("SELECT 1")).scalar_one() == 1
        assert ping.pings == 1
        # the ping leaves the connection idle, not in a transaction of its own
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            assert c.execute(text("SELECT 2")).scalar_one() == 2
        assert ping.pings == 2
        # the server ends the pooled connection (as a restart or a firewall would)
        killer = make_engine(pg_url, pool_size=1, use_keyring=False)
        with killer.connect() as k:
            k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
            k.commit()
        killer.dispose()
        with engine.connect() as c:  # pinged, found dead, replaced: the caller sees nothing
            assert c.execute(text("SELECT pg_backend_pid()")).scalar_one() != first_pid
        assert ping.pings >= 3
    finally:
        engine.dispose()


def test_an_engine_for_pgbouncer_prepares_nothing_and_pings_after_a_minute(pg_url: str) -> None:
    """Through PgBouncer in transaction mode a prepared statement would be missing from the
    next transaction's session (tests/integration/test_pgbouncer.py shows it), and a ping
    is a server transaction: pinged after a minute idle, not five seconds."""
    for pgbouncer, threshold, idle_s in (
        (False, 5, IDLE_PING_S),
        (True, None, PGBOUNCER_IDLE_PING_S),
    ):
        engine = make_engine(pg_url, pool_size=1, use_keyring=False, pgbouncer=pgbouncer)
        try:
            ping = IdlePing.of(engine)
            assert ping is not None and ping.idle_s == idle_s
            with engine.connect() as c:
                assert c.connection.dbapi_connection.prepare_threshold == threshold  # type: ignore[union-attr]
        finally:
            engine.dispose()
    assert PGBOUNCER_IDLE_PING_S >= 60 > IDLE_PING_S


def test_sqlite_engines_need_no_ping(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}", use_keyring=False)
    try:
        assert IdlePing.of(engine) is None
    finally:
        engine.dispose()
