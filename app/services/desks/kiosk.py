"""The kiosk desk (取号机 screen): the hall's services with their waiting counts, and
issuing a ticket on the dispenser's printer. Blocks on the database and the printer:
call it from a worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.devices.dispenser import DispenserService
from app.services.dto import HallInfo, HallSnapshot, IssuedTicket
from app.services.queue.queries import QueueQueries
from app.settings import StationSettings


@dataclass(frozen=True)
class KioskState:
    hall: HallInfo
    snapshot: HallSnapshot


class KioskDesk:
    def __init__(
        self, station: StationSettings, queries: QueueQueries, dispenser: DispenserService
    ) -> None:
        self._station = station
        self._queries = queries
        self._dispenser = dispenser
        self.hall_code = station.hall

    def read(self) -> KioskState:
        return KioskState(
            self._queries.hall(self.hall_code), self._queries.snapshot(self.hall_code, 0)
        )

    def check_printer(self) -> None:
        """Ask the dispenser's printer for paper (seconds when it does not answer): run it
        on a lane of its own, never the station's write lane. Out of paper or no answer:
        DomainError (paper_out / printer_offline), recorded as an alert."""
        self._dispenser.check_printer(station=self._station)

    def issue(self, service_code: str, *, printer_checked: bool = False) -> IssuedTicket:
        """Issue a ticket of this station's dispenser (committed first) and hand it to its
        printer's own worker; unless `printer_checked`, the paper is checked first and a
        printer out of paper refuses the ticket, as the button panel does."""
        return self._dispenser.issue(
            service_code, station=self._station, printer_checked=printer_checked
        )
