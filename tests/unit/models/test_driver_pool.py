"""The pool of driver units' connections (app/models/driver_pool.py), on real PostgreSQL:
a connection used moments ago is handed out again without a ping, an idle one is pinged
and a dead one replaced unnoticed, a broken one takes the idle ones with it, at most
`size` are kept idle, and through PgBouncer nothing is prepared."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.models.driver_pool import DriverPool, Link
from app.models.driver_unit import DriverUnit
from app.models.idle_ping import IDLE_PING_S, PGBOUNCER_IDLE_PING_S


def _connect_args(url: str) -> dict[str, object]:
    u = make_url(url)
    return {
        "host": u.host,
        "port": u.port,
        "dbname": u.database,
        "user": u.username,
        **({"password": u.password} if u.password else {}),
    }


@pytest.fixture
def pool(pg_url: str) -> Iterator[DriverPool]:
    p = DriverPool(_connect_args(pg_url), size=2, pgbouncer=False)
    try:
        yield p
    finally:
        p.dispose()


def _pid(link: Link) -> int:
    row = DriverUnit(link).one("SELECT pg_backend_pid() + %(z)s", {"z": 0}, commit=True)
    return int(row[0])


def _alive(url: str, pids: list[int]) -> set[int]:
    """Which of `pids` are server backends still, once closed ones had time to exit."""
    with psycopg.connect(**_connect_args(url), autocommit=True) as c:  # type: ignore[arg-type]
        found: set[int] = set(pids)
        for _ in range(50):
            rows = c.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
            found = {r[0] for r in rows}
            if len(found) <= 1:
                break
            time.sleep(0.05)
        return found


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(**_connect_args(url), autocommit=True) as c:  # type: ignore[arg-type]
        c.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_used_moments_ago_is_not_pinged_an_idle_one_is_and_a_dead_one_replaced(
    pool: DriverPool, pg_url: str
) -> None:
    assert pool.idle_s == IDLE_PING_S
    link = pool.get()
    first = _pid(link)
    pool.put(link, fit=True)
    for _ in range(3):  # back to back: the same connection, no round trip spent on pinging
        link = pool.get()
        assert _pid(link) == first
        pool.put(link, fit=True)
    assert pool.pings == 0
    pool.idle_s = 0.0  # from now on every returned connection counts as idle
    link = pool.get()
    assert pool.pings == 1 and _pid(link) == first  # pinged, alive, handed out
    pool.put(link, fit=True)
    _terminate(pg_url, first)  # as a server restart or a firewall would
    link = pool.get()  # pinged, found dead, replaced: the caller sees nothing
    assert pool.pings == 2 and _pid(link) != first
    pool.put(link, fit=True)


def test_an_unfit_connection_is_closed_and_a_broken_one_takes_the_idle_ones_with_it(
    pool: DriverPool, pg_url: str
) -> None:
    a, b, c = pool.get(), pool.get(), pool.get()
    pids = [_pid(a), _pid(b), _pid(c)]
    pool.put(a, fit=True)
    pool.put(b, fit=True)
    pool.put(c, fit=True)  # a third idle one is one more than `size` (2): closed
    assert a.conn.closed is False and b.conn.closed is False and c.conn.closed is True
    unfit = pool.get()  # the last returned first
    assert unfit is b
    pool.put(unfit, fit=False)  # e.g. after a failed statement: closed, not kept
    assert b.conn.closed is True and _alive(pg_url, pids) == {pids[0]}
    again = pool.get()
    assert again is a
    _terminate(pg_url, pids[0])
    with pytest.raises(psycopg.OperationalError):
        _pid(again)
    assert again.conn.broken
    idle = pool.get()  # a new one, returned idle before the broken one comes back
    pool.put(idle, fit=True)
    pool.put(again, fit=False)
    assert idle.conn.closed is True  # the server likely cut it too: dropped unused


def test_through_pgbouncer_nothing_is_prepared_and_idle_is_a_minute(pg_url: str) -> None:
    pool = DriverPool(_connect_args(pg_url), size=1, pgbouncer=True)
    try:
        assert pool.idle_s == PGBOUNCER_IDLE_PING_S
        link = pool.get()
        assert link.prepared is None
        unit = DriverUnit(link)
        assert unit.one("SELECT %(n)s::int + 1", {"n": 1}) == (2,)
        unit.commit()
        count = DriverUnit(link).one("SELECT count(*) FROM pg_prepared_statements", {})
        assert count == (0,)
        pool.put(link, fit=True)
    finally:
        pool.dispose()


def test_an_unreachable_server_is_psycopgs_error(pg_url: str) -> None:
    args = _connect_args(pg_url) | {"host": "127.0.0.1", "port": 1, "connect_timeout": 2}
    pool = DriverPool(args, size=1, pgbouncer=False)
    with pytest.raises(psycopg.OperationalError):
        pool.get()
