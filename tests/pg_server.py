"""A throw-away PostgreSQL cluster for the test suite.

`scripts/test` installs Debian's `postgresql` package; this module runs `initdb` into a
temporary folder and `pg_ctl start` on a free loopback port (as the `postgres` user when
run as root, since PostgreSQL refuses root), and removes it all at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found: install Debian's 'postgresql' package "
            "(scripts/test does) or set HALLDESK_TEST_DATABASE_URL"
        )
    return Path(candidates[0]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="halldesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0

    def _run(self, *cmd: str) -> None:
        full = list(cmd)
        if self._as_root:
            full = ["runuser", "-u", "postgres", "--", *full]
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        if self._as_root:
            shutil.chown(self.root, "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=on -c max_connections=200 -c shared_buffers=128MB"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            time.sleep(0.5)
        shutil.rmtree(self.root, ignore_errors=True)

    def crash(self) -> None:
        """Stop the server as a crash would: `pg_ctl stop -m immediate` ends every backend at
        once with no shutdown checkpoint; the next start replays the WAL. For the crash
        probe (tests/soak), on a cluster of its own."""
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
        )

    def restart(self) -> None:
        """Start the server again after `crash` (or restart a running one), with the options
        `start` gave it (pg_ctl keeps them in postmaster.opts); returns once it accepts
        connections."""
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "restart",
        )


if __name__ == "__main__":  # used by scripts/bench: start, print the URL, wait for stdin EOF
    import sys

    server = PgServer()
    print(server.start(), flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()
