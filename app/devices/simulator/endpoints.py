"""Where the simulated devices are plugged in: a pty pair or a TCP port.

A pty's slave name (``/dev/pts/N``) changes every time a pair is created, so
:class:`PtyEndpoint` publishes a **stable symlink** (``<dir>/<name>``) to the current slave;
configure the host with that path.  Unplugging closes the master (the host's reads and
writes fail, as with a pulled USB adapter) and removes the symlink (reopening fails);
plugging creates a new pair and points the symlink at it.  :class:`TcpEndpoint` listens on
``127.0.0.1:PORT`` for one ``socket://`` client; unplugging closes the client and the
listener.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket

log = logging.getLogger(__name__)

READ_SIZE = 4096


class Endpoint:
    """Base: one byte pipe to the host, pluggable."""

    url: str

    @property
    def plugged(self) -> bool:
        raise NotImplementedError

    def plug(self) -> None:
        raise NotImplementedError

    def unplug(self) -> None:
        raise NotImplementedError

    def readable_fds(self) -> list[int]:
        raise NotImplementedError

    def read(self, fd: int) -> bytes:
        """Read what ``fd`` (from :meth:`readable_fds`) has; ``b""`` if nothing for devices."""
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError


class PtyEndpoint(Endpoint):
    def __init__(self, directory: str, name: str) -> None:
        self.link = os.path.join(directory, name)
        self.url = self.link
        self.slave_name = ""
        self._master: int | None = None
        self._slave: int | None = None

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> None:
        if self.plugged:
            return
        import fcntl  # POSIX only: on Windows the simulator listens on TCP
        import tty

        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline, before the host opens it
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self._master, self._slave = master, slave  # keep the slave open: no EIO on master
        self.slave_name = os.ttyname(slave)
        temporary = f"{self.link}.{os.getpid()}.new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        os.symlink(self.slave_name, temporary)
        os.replace(temporary, self.link)
        log.debug("pty %s -> %s", self.link, self.slave_name)

    def unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.link)
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def readable_fds(self) -> list[int]:
        return [] if self._master is None else [self._master]

    def read(self, fd: int) -> bytes:
        try:
            return os.read(fd, READ_SIZE)
        except BlockingIOError:
            return b""
        except OSError as exc:  # EIO: nobody has the slave open (cannot happen: we hold it)
            if exc.errno != errno.EIO:
                raise
            return b""

    def write(self, data: bytes) -> None:
        if self._master is None:
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._master, view)
            except BlockingIOError:
                log.debug("pty %s full, %d bytes lost", self.link, len(view))
                return
            view = view[written:]


class TcpEndpoint(Endpoint):
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None
        self.url = f"socket://{host}:{port}"

    @property
    def plugged(self) -> bool:
        return self._listener is not None

    def plug(self) -> None:
        if self.plugged:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(1)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]  # a port 0 becomes the one the OS chose
        self.url = f"socket://{self.host}:{self.port}"
        self._listener = listener

    def unplug(self) -> None:
        for sock in (self._client, self._listener):
            if sock is not None:
                sock.close()
        self._client = self._listener = None

    def readable_fds(self) -> list[int]:
        fds = [] if self._listener is None else [self._listener.fileno()]
        if self._client is not None:
            fds.append(self._client.fileno())
        return fds

    def read(self, fd: int) -> bytes:
        if self._listener is not None and fd == self._listener.fileno():
            try:
                client, _ = self._listener.accept()
            except BlockingIOError:
                return b""
            if self._client is not None:  # one host at a time, like a serial line
                self._client.close()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._client = client
            return b""
        if self._client is None or fd != self._client.fileno():
            return b""
        try:
            data = self._client.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            data = b""
        if not data:
            self._client.close()
            self._client = None
        return data

    def write(self, data: bytes) -> None:
        if self._client is None:
            return
        try:
            self._client.sendall(data)
        except OSError:
            self._client.close()
            self._client = None
