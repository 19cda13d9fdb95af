"""A throw-away PgBouncer in transaction mode in front of a test or bench PostgreSQL.

Debian's `pgbouncer` (scripts/test and scripts/bench install it); this module writes its
ini into a temporary folder and runs `pgbouncer` on a free loopback port, in the
foreground as a child of this process (as the `postgres` user when run as root, which
PgBouncer refuses), and stops it at the end. Every database of the server is reachable
through it under its own name, with trust authentication like the throw-away clusters.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if found is None:
        raise RuntimeError("pgbouncer not found: install Debian's 'pgbouncer' (scripts/test does)")
    return found


class PgBouncer:
    def __init__(
        self,
        server_url: str,
        *,
        pool_size: int = 20,
        max_clients: int = 5000,
        mode: str = "transaction",
    ) -> None:
        self.server = make_url(server_url)
        self.pool_size, self.max_clients, self.mode = pool_size, max_clients, mode
        self.root = Path(tempfile.mkdtemp(prefix="halldesk-pgbouncer-"))
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0

    def url(self, database: str | None = None) -> str:
        """A URL of the server's `database` (default: the server URL's) through PgBouncer."""
        u = self.server.set(host="127.0.0.1", port=self.port)
        if database is not None:
            u = u.set(database=database)
        return u.render_as_string(hide_password=False)

    def start(self) -> str:
        user = self.server.username or "postgres"
        (self.root / "users.txt").write_text(f'"{user}" ""\n"postgres" ""\n')
        (self.root / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={self.server.host or '127.0.0.1'} port={self.server.port or 5432}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.root / 'users.txt'}\n"
            f"admin_users = {user}\n"
            f"stats_users = {user}\n"
            f"pool_mode = {self.mode}\n"
            f"max_client_conn = {self.max_clients}\n"
            f"default_pool_size = {self.pool_size}\n"
            "reserve_pool_size = 0\n"
            "server_lifetime = 3600\n"
            "server_idle_timeout = 60\n"
            f"logfile = {self.root / 'pgbouncer.log'}\n"
            "log_connections = 0\n"
            "log_disconnections = 0\n"
        )
        kw: dict[str, Any] = {}
        if self._as_root:
            shutil.chown(self.root, "postgres")
            for f in self.root.iterdir():
                shutil.chown(f, "postgres")
            kw = {"user": "postgres", "group": "postgres", "extra_groups": []}
        self.proc = subprocess.Popen(
            [pgbouncer_binary(), "-q", str(self.root / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **kw,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"pgbouncer did not start: {self.log()}") from None
                time.sleep(0.05)
        return self.url()

    def log(self) -> str:
        path = self.root / "pgbouncer.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def show(self, what: str) -> list[dict[str, Any]]:
        """The admin console's `SHOW <what>` (POOLS, STATS, ...) as rows of dicts; the
        console speaks the simple query protocol only, hence the client-side cursor."""
        conninfo = make_url(self.url("pgbouncer")).set(drivername="postgresql")
        with psycopg.connect(
            conninfo.render_as_string(hide_password=False),
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
        ) as conn:
            cur = conn.execute(f"SHOW {what}")
            names = [d.name for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)
