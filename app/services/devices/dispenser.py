"""The dispenser (取号机): issue a ticket and print it, from the kiosk screen or the panel.

One code path for both: ask the dispenser's ESC/POS printer for its paper state, refuse
(and alert the manager) when it is out of paper or does not answer, issue the ticket,
print it. A ticket that was issued but failed to print is still a ticket — the kiosk
shows it on screen — and the failure is an alert.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.devices.escpos import PaperStatus, TicketPrint
from app.devices.printer import EscPosPrinter, PrinterError
from app.devices.transport import PortError
from app.services.dto import IssuedTicket
from app.services.errors import DomainError
from app.services.evaluation.service import EvaluationService
from app.services.hall_ref import HallDirectory
from app.services.queue.service import QueueService
from app.settings import StationSettings

log = logging.getLogger(__name__)

PAPER_OUT = "paper_out"
PRINTER_OFFLINE = "printer_offline"


@dataclass(frozen=True)
class DispenserPrinter:
    printer: EscPosPrinter
    paper_mm: int


PrinterLookup = Callable[[str], DispenserPrinter | None]


def ticket_print(issued: IssuedTicket, timezone: str, language: str = "zh_CN") -> TicketPrint:
    zh = language.startswith("zh")
    local = issued.ticket.issued_at.astimezone(ZoneInfo(timezone))
    return TicketPrint(
        hall_name=issued.hall_name_zh if zh else issued.hall_name_en,
        service_name=issued.service.name_zh if zh else issued.service.name_en,
        number=issued.ticket.display_number,
        ahead=issued.ahead,
        wait_min=issued.estimated_wait_min,
        issued_at_text=local.strftime("%Y-%m-%d %H:%M"),
        qr_text=issued.ticket.code,
    )


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
    ) -> None:
        self._queue = queue
        self._halls = halls
        self._alerts = alerts
        self._station = station
        self._printers = printers or (lambda _dispenser: None)
        self._status_timeout = status_timeout
        self._print_timeout = print_timeout

    def set_printers(self, printers: PrinterLookup) -> None:
        self._printers = printers

    def has_printer(self, dispenser: str | None = None) -> bool:
        return self._printers(dispenser or self._station.dispenser) is not None

    def issue(
        self,
        service_code: str,
        *,
        priority: int = 0,
        dispenser: str | None = None,
        station: StationSettings | None = None,
    ) -> IssuedTicket:
        """Issue and print one ticket. Blocks for the printer: never call on the GUI thread.
        `station` overrides the station settings given at start (the kiosk passes its own)."""
        station = station or self._station
        name = dispenser or station.dispenser
        hall = station.hall
        target = self._printers(name)
        if target is not None:
            self._check_paper(hall, name, target)
        issued = self._queue.issue_ticket(
            hall,
            service_code,
            priority=priority,
            dispenser=name,
            number_range=(station.number_start, station.number_end),
        )
        if target is not None:
            timezone = self._halls.get(hall).timezone
            future = target.printer.print_ticket(
                ticket_print(issued, timezone), target.paper_mm, check_paper=False
            )
            try:
                future.result(self._print_timeout)
            except (PrinterError, PortError, FutureTimeout, OSError) as exc:
                log.warning(
                    "ticket %s issued but not printed: %s", issued.ticket.display_number, exc
                )
                self._alert(
                    hall, "print_failed", f"{issued.ticket.display_number} not printed: {exc}"
                )
        return issued

    def _check_paper(self, hall: str, name: str, target: DispenserPrinter) -> None:
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

    def _alert(self, hall: str, kind: str, message: str, severity: str = "warning") -> None:
        try:
            self._alerts.raise_alert(hall, kind, message, severity=severity, source="dispenser")
        except DomainError as exc:  # the alert must not hide the refusal
            log.error("could not record alert %s: %s", kind, exc)
