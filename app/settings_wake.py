"""The checks of a station's wake-up settings (`[sync] wake`, `relay_port`, `[database]
listen_url`, `pgbouncer`), for `app.settings`: how a cached station hears of the centre's
changes when many halls share one PostgreSQL (docs/PERFORMANCE.md, "Past one machine")."""

from __future__ import annotations

import re
from typing import Protocol

_DB_URL = re.compile(r"(postgres|postgresql)(\+\w+)?://\S*")
_RELAY_URL = re.compile(r"tcp://([\w.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})")


class DatabaseSection(Protocol):  # what is read of `app.settings.DatabaseSettings`
    @property
    def listen_url(self) -> str: ...
    @property
    def pgbouncer(self) -> bool: ...


class SyncSection(Protocol):  # and of `app.settings.SyncSettings`
    @property
    def mode(self) -> str: ...
    @property
    def wake(self) -> str: ...
    @property
    def relay_port(self) -> int: ...


def wake_problem(database: DatabaseSection, sync: SyncSection) -> tuple[str, str, str] | None:
    """(what is wrong, section, key), or None."""
    listen, wake, pgbouncer = database.listen_url.strip(), sync.wake, database.pgbouncer
    if listen and not _DB_URL.fullmatch(listen):
        return f"listen_url {listen!r} is no postgresql:// url", "database", "listen_url"
    relay = _RELAY_URL.fullmatch(wake)
    if wake not in ("listen", "relay") and not (relay and 0 < int(relay[2]) < 65536):
        return f"wake must be listen, relay or tcp://host:port, not {wake!r}", "sync", "wake"
    if not 0 < sync.relay_port < 65536:
        return "relay_port must be 1..65535", "sync", "relay_port"
    if sync.mode == "cached" and wake in ("listen", "relay") and pgbouncer and not listen:
        return (
            "a LISTEN through a PgBouncer in transaction mode hears nothing: give [database] "
            'listen_url (PostgreSQL itself), or wake = "tcp://..." (the hall\'s relay)',
            "sync",
            "wake",
        )
    return None
