"""Owner of an ESC/POS printer port: print bytes, read the paper sensor.

Calls return a :class:`concurrent.futures.Future` at once; the port thread does the work
one job at a time.  A print job first asks ``DLE EOT 4`` (unless told not to) and is refused
with :class:`PaperOutError` when the roll is out, so the dispenser never issues a ticket it
cannot print.  Every change of the paper sensor is reported as
:class:`~app.devices.events.PaperStatusChanged`.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass, field

from app.devices.escpos import STATUS_REQUEST, PaperStatus, TicketPrint, parse_paper_status
from app.devices.escpos import ticket_bytes as _ticket_bytes
from app.devices.events import PaperStatusChanged
from app.devices.transport import Backoff, PortError
from app.devices.worker import EventSink, PortWorker, reject, resolve

log = logging.getLogger(__name__)


class PrinterError(Exception):
    """The printer did not print."""


class PaperOutError(PrinterError):
    pass


class PrinterTimeoutError(PrinterError):
    """The printer did not answer ``DLE EOT 4`` in time (off, or not connected)."""


@dataclass(eq=False)
class _Job:
    data: bytes | None  # None: status query only
    check_paper: bool
    timeout: float
    future: Future[PaperStatus | None] = field(default_factory=Future)


class EscPosPrinter(PortWorker):
    """ESC/POS printer on a serial (or ``socket://``) port."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        on_event: EventSink | None = None,
        status_timeout: float = 1.0,
        read_timeout: float = 0.02,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(
            url,
            baudrate=baudrate,
            on_event=on_event,
            read_timeout=read_timeout,
            write_timeout=30.0,
            backoff=backoff,
            name="printer",
        )
        self.status_timeout = status_timeout
        self._job: _Job | None = None
        self._deadline = 0.0
        self._paper: PaperStatus | None = None

    @property
    def paper_status(self) -> PaperStatus | None:
        """Last status read, ``None`` before the first."""
        return self._paper

    def query_paper(self, timeout: float | None = None) -> Future[PaperStatus | None]:
        """Ask ``DLE EOT 4``; the future gives the :class:`PaperStatus`."""
        return self._queue(None, True, timeout)

    def print_bytes(
        self, data: bytes, *, check_paper: bool = True, timeout: float | None = None
    ) -> Future[PaperStatus | None]:
        """Send ``data``; the future gives the paper status read before printing (``None``
        without ``check_paper``) or fails with :class:`PrinterError` / ``PortError``."""
        return self._queue(data, check_paper, timeout)

    def print_ticket(
        self, ticket: TicketPrint, width_mm: int = 80, *, check_paper: bool = True
    ) -> Future[PaperStatus | None]:
        return self.print_bytes(_ticket_bytes(ticket, width_mm), check_paper=check_paper)

    def _queue(
        self, data: bytes | None, check_paper: bool, timeout: float | None
    ) -> Future[PaperStatus | None]:
        job = _Job(data, check_paper, self.status_timeout if timeout is None else timeout)
        self._submit(job)
        return job.future

    # --- owner thread -------------------------------------------------------------

    def _ready_for_command(self, now: float) -> bool:
        return self._job is None

    def _on_command(self, command: object, now: float) -> None:
        if not isinstance(command, _Job):
            raise TypeError(f"unexpected command {command!r}")
        if not command.future.set_running_or_notify_cancel():
            return
        if command.check_paper:
            self._job = command
            self._deadline = now + command.timeout
            self._write(STATUS_REQUEST)  # a failure rejects the job in _on_lost
        else:
            self._print(command, None)

    def _print(self, job: _Job, status: PaperStatus | None) -> None:
        if job.data is not None:
            try:
                self._write(job.data)
            except PortError as exc:
                reject(job.future, exc)
                raise
        resolve(job.future, status)

    def _on_bytes(self, data: bytes, now: float) -> None:
        job, self._job = self._job, None
        if job is None:
            log.debug("printer %s sent %s unasked", self.url, data.hex(" "))
            return
        status = parse_paper_status(data[-1])
        if status is not self._paper:
            self._paper = status
            self._emit(PaperStatusChanged(self.url, status))
        if status is PaperStatus.OUT and job.data is not None:
            reject(job.future, PaperOutError(f"printer {self.url}: paper out"))
        else:
            self._print(job, status)

    def _on_tick(self, now: float) -> None:
        if self._job is not None and now >= self._deadline:
            job, self._job = self._job, None
            reject(job.future, PrinterTimeoutError(f"printer {self.url} did not answer"))

    def _on_reject(self, command: object, reason: str) -> None:
        if isinstance(command, _Job):
            reject(command.future, PortError(reason))

    def _on_lost(self) -> None:
        self._fail_current("port lost")

    def _on_stopped(self) -> None:
        self._fail_current("printer stopped")

    def _fail_current(self, reason: str) -> None:
        job, self._job = self._job, None
        if job is not None:
            reject(job.future, PortError(reason))
