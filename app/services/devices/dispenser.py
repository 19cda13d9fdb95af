"""The dispenser (取号机): issue a ticket and print it, from the kiosk screen or the panel.

One code path for both, in three steps that need not share a lane:

1. `check_printer`: ask the dispenser's ESC/POS printer for its paper state; refuse (and
   alert the manager) when it is out of paper or does not answer. This waits for the
   printer (up to `status_timeout` + 1 s), so a caller may run it on a lane of its own.
2. issue the ticket: one write unit, committed before anything is printed.
3. hand the print to the printer's own port thread and return at once. A print that
   fails, or has not finished within `print_timeout`, becomes a `print_failed` alert,
   raised from the dispenser's print follower thread, never from the caller's lane.

`issue` does all three (the panel path of the device hub). A ticket that was issued but
failed to print is still a ticket (the kiosk shows it on screen).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.devices.escpos import PaperStatus, TicketPrint, has_english, ticket_bytes
from app.devices.printer import EscPosPrinter, PrinterError
from app.devices.transport import PortError
from app.services.dto import HallInfo, IssuedTicket
from app.services.errors import DomainError
from app.services.evaluation.service import EvaluationService
from app.services.hall_ref import HallDirectory
from app.services.queue.service import QueueService
from app.settings import StationSettings

log = logging.getLogger(__name__)

PAPER_OUT = "paper_out"
PRINTER_OFFLINE = "printer_offline"
PRINT_FAILED = "print_failed"


@dataclass(frozen=True)
class DispenserPrinter:
    printer: EscPosPrinter
    paper_mm: int


PrinterLookup = Callable[[str], DispenserPrinter | None]


def ticket_print(issued: IssuedTicket, timezone: str) -> TicketPrint:
    """What the ticket shows, in both languages (the layout prints those asked for); the
    wait is `IssuedTicket.estimated_wait_min`, the estimate the kiosk screen shows."""
    local = issued.ticket.issued_at.astimezone(ZoneInfo(timezone))
    return TicketPrint(
        hall_name=issued.hall_name_zh,
        service_name=issued.service.name_zh,
        number=issued.ticket.display_number,
        ahead=issued.ahead,
        wait_min=issued.estimated_wait_min,
        issued_at_text=local.strftime("%Y-%m-%d %H:%M"),
        qr_text=issued.ticket.code,
        hall_name_en=issued.hall_name_en,
        service_name_en=issued.service.name_en,
    )


def ticket_languages(hall: HallInfo, languages: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The languages a ticket of `hall` is printed in: always Chinese, and English under
    it where the hall has English (an English name) and `languages` (if given, e.g. the
    station's ui.voice_languages) does not leave English out."""
    english = bool(hall.name_en.strip()) and (languages is None or has_english(languages))
    return ("zh_CN", "en") if english else ("zh_CN",)


@dataclass(eq=False)
class _Print:
    """One ticket handed to a printer, followed until it is printed or reported."""

    hall: str
    number: str
    future: Future[PaperStatus | None]
    deadline: float
    timeout: float


class _PrintFollower:
    """Follows handed-off prints on a thread of its own, so nobody waits for a printer.

    A print that fails, or is not done by its deadline, is logged and passed to
    `on_failed` (which writes the alert) here: not on the printer's port thread, which a
    database write would hold up, and not on the caller's lane. The thread runs while
    prints are pending and ends when none is left; `wait` drains it (tests, quitting).
    """

    def __init__(self, on_failed: Callable[[_Print, str], None]) -> None:
        self._on_failed = on_failed
        self._cond = threading.Condition()
        self._pending: list[_Print] = []
        self._thread: threading.Thread | None = None

    def follow(self, job: _Print) -> None:
        with self._cond:
            self._pending.append(job)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="dispenser-prints", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()
        job.future.add_done_callback(self._wake)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every print handed off so far is settled; False on time-out."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._thread is not None:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _wake(self, _future: Future[PaperStatus | None]) -> None:
        with self._cond:  # on the port thread: only a notify, never a database write
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [p for p in self._pending if p.future.done() or now >= p.deadline]
                if not due:
                    if not self._pending:
                        self._thread = None
                        self._cond.notify_all()
                        return
                    self._cond.wait(min(p.deadline for p in self._pending) - now)
                    continue
                self._pending = [p for p in self._pending if p not in due]
            for job in due:
                try:
                    self._settle(job)
                except Exception:  # the follower must outlive one bad report
                    log.exception("ticket %s: could not report its print", job.number)

    def _settle(self, job: _Print) -> None:
        future = job.future
        if not future.done():
            reason = f"not printed within {job.timeout:g} s"
            future.add_done_callback(lambda f: _log_late(job.number, f))
        elif future.cancelled():
            reason = "print cancelled"
        else:
            exc = future.exception()
            if exc is None:
                log.debug("ticket %s printed", job.number)
                return
            reason = str(exc) or type(exc).__name__
        log.warning("ticket %s issued but not printed: %s", job.number, reason)
        self._on_failed(job, reason)


def _log_late(number: str, future: Future[PaperStatus | None]) -> None:
    """How a print reported as not done in time ended after all (only logged: its alert
    is written already)."""
    try:
        exc = future.exception()
    except CancelledError:
        log.warning("ticket %s: its late print was cancelled", number)
        return
    if exc is None:
        log.info("ticket %s printed late (after its print_failed alert)", number)
    else:
        log.warning("ticket %s finally failed to print: %s", number, exc)


class DispenserService:
    def __init__(
        self,
        queue: QueueService,
        halls: HallDirectory,
        alerts: EvaluationService,
        station: StationSettings,
        printers: PrinterLookup | None = None,
        *,
        status_timeout: float = 1.5,
        print_timeout: float = 10.0,
        languages: tuple[str, ...] | None = None,
    ) -> None:
        """`languages`: what tickets are printed in besides Chinese (see
        `ticket_languages`); None: English where the hall has an English name."""
        self._queue = queue
        self._halls = halls
        self._alerts = alerts
        self._station = station
        self._printers = printers or (lambda _dispenser: None)
        self._status_timeout = status_timeout
        self._print_timeout = print_timeout
        self._languages = languages
        self._follower = _PrintFollower(self._print_failed)

    def set_printers(self, printers: PrinterLookup) -> None:
        self._printers = printers

    def has_printer(self, dispenser: str | None = None) -> bool:
        return self._printers(dispenser or self._station.dispenser) is not None

    def check_printer(
        self, dispenser: str | None = None, *, station: StationSettings | None = None
    ) -> PaperStatus | None:
        """Ask the dispenser's printer for its paper before a ticket is issued.

        The paper state (OK or near end) when it can print, None when the dispenser has
        no printer. Out of paper or no answer raises `DomainError` PAPER_OUT /
        PRINTER_OFFLINE after recording the alert. Waits for the printer (up to
        `status_timeout` + 1 s): never on the GUI thread, preferably not on the write lane.
        """
        station = station or self._station
        name = dispenser or station.dispenser
        target = self._printers(name)
        if target is None:
            return None
        return self._check_paper(station.hall, name, target)

    def issue(
        self,
        service_code: str,
        *,
        priority: int = 0,
        dispenser: str | None = None,
        station: StationSettings | None = None,
        printer_checked: bool = False,
    ) -> IssuedTicket:
        """Check the printer, issue one ticket and hand its print to the printer.

        Returns once the ticket is committed, without waiting for the print; a print that
        fails or does not finish in `print_timeout` becomes a `print_failed` alert.
        `printer_checked`: the caller has just run `check_printer` (on another lane), so
        the paper is not asked again. `station` overrides the station settings given at
        start (the kiosk passes its own). Blocks for the paper check: not on the GUI thread.
        """
        station = station or self._station
        name = dispenser or station.dispenser
        hall = station.hall
        if not printer_checked:
            self.check_printer(name, station=station)
        issued = self._queue.issue_ticket(
            hall,
            service_code,
            priority=priority,
            dispenser=name,
            number_range=(station.number_start, station.number_end),
        )
        self._hand_off_print(issued, hall, name)
        return issued

    def wait_prints(self, timeout: float | None = None) -> bool:
        """Wait until every print handed off so far has printed or been reported (its
        alert written); False if some is still open after `timeout`. For quitting (after
        the printers are stopped, before the database is closed) and for tests."""
        return self._follower.wait(timeout)

    def _hand_off_print(self, issued: IssuedTicket, hall: str, name: str) -> None:
        target = self._printers(name)
        if target is None:
            return
        number = issued.ticket.display_number
        try:
            info = self._halls.get(hall)
            data = ticket_bytes(
                ticket_print(issued, info.timezone),
                target.paper_mm,
                languages=ticket_languages(info, self._languages),
            )
            future = target.printer.print_bytes(data, check_paper=False)
        except (DomainError, ValueError, OSError) as exc:  # never lose the issued ticket
            log.warning("ticket %s issued but not sent to the printer: %s", number, exc)
            self._alert(hall, PRINT_FAILED, f"{number} not printed: {exc}")
            return
        self._follower.follow(
            _Print(
                hall, number, future, time.monotonic() + self._print_timeout, self._print_timeout
            )
        )

    def _print_failed(self, job: _Print, reason: str) -> None:
        self._alert(job.hall, PRINT_FAILED, f"{job.number} not printed: {reason}")

    def _check_paper(self, hall: str, name: str, target: DispenserPrinter) -> PaperStatus:
        try:
            status = target.printer.query_paper(self._status_timeout).result(
                self._status_timeout + 1.0
            )
        except (PrinterError, PortError, FutureTimeout, OSError) as exc:
            status = None
            log.warning("printer of dispenser %s does not answer: %s", name, exc)
        if status is None:
            self._alert(hall, PRINTER_OFFLINE, f"printer of dispenser {name} does not answer")
            raise DomainError(PRINTER_OFFLINE, f"the ticket printer of {name} does not answer")
        if status is PaperStatus.OUT:
            self._alert(hall, PAPER_OUT, f"dispenser {name} is out of paper", severity="high")
            raise DomainError(PAPER_OUT, f"dispenser {name} is out of paper")
        return status

    def _alert(self, hall: str, kind: str, message: str, severity: str = "warning") -> None:
        try:
            self._alerts.raise_alert(hall, kind, message, severity=severity, source="dispenser")
        except DomainError as exc:  # the alert must not hide the refusal
            log.error("could not record alert %s (%s): %s", kind, message, exc)
