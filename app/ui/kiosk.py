"""The kiosk (取号机) window: a customer touches a service and gets a ticket.

Issuing runs on the write lane; the ticket then fills a large panel (number, service,
people ahead, estimated wait, time) that clears after a few seconds. The dispenser
service prints it on the station's ticket printer, if any, without holding the issue up;
the screen and the printed ticket show the same estimate (`IssuedTicket.no_wait` and
`estimated_wait_min`) in the same words. The waiting count on each button is re-read in
the background whenever the hall watcher reports a change.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.services.clock import Clock
from app.services.desks.kiosk import KioskDesk, KioskState
from app.services.dto import HallInfo, IssuedTicket
from app.services.errors import DomainError
from app.ui.kiosk_view import KioskView, ServiceButton
from app.ui.loader import StateLoader
from app.ui.messages import error_text
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager
from app.ui.widgets import hall_zone

log = logging.getLogger(__name__)

COLUMNS = 2


class KioskWindow(QWidget):
    """The dispenser screen.

    Signals:
        ticket_issued(IssuedTicket): a ticket was issued (the dispenser prints it).
        refreshed(): the waiting counts were re-read.
    """

    ticket_issued = Signal(object)
    refreshed = Signal()

    def __init__(
        self, desk: KioskDesk, clock: Clock, tasks: TaskManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("KioskWindow")
        self._desk = desk
        self._tasks = tasks
        self._hall: HallInfo | None = None
        self._buttons: dict[str, ServiceButton] = {}
        self._issuing = False
        self._load_error = False
        self.last_ticket: IssuedTicket | None = None
        self.ticket_hold_ms = 8000

        self.view = KioskView(self, clock)
        self.view.done_button.clicked.connect(self.show_services)
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.timeout.connect(self.show_services)
        self._loader = StateLoader(tasks, self._read_state, self)
        self._loader.loaded.connect(self._on_state)
        self._loader.failed.connect(self._on_state_failed)
        self.retranslate()
        self.resize(1024, 768)

    # ------------------------------------------------------------------ public
    @property
    def buttons(self) -> dict[str, ServiceButton]:
        """Service code -> its button (once the hall is loaded)."""
        return dict(self._buttons)

    @property
    def showing_ticket(self) -> bool:
        return self.view.pages.currentIndex() == 1

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("HallDesk - Ticket kiosk"))
        self.view.prompt.setText(self.tr("Please touch the service you need"))
        self.view.ticket_caption.setText(self.tr("Your number"))
        self.view.ticket_hint.setText(
            self.tr("Please keep your ticket and watch the screen for your number.")
        )
        self.view.done_button.setText(self.tr("OK"))

    def refresh(self) -> None:
        """Re-read the hall and its waiting counts in the background."""
        self._loader.request()

    def on_hall_changed(self, _last_id: object = None) -> None:
        self.refresh()

    def on_watch_failed(self, code: str) -> None:
        self._on_state_failed(DomainError(code, code))

    def on_watch_recovered(self) -> None:
        self.refresh()

    def issue(self, service_code: str) -> None:
        """Issue a ticket of `service_code` (what a button press does)."""
        if self._issuing:
            return
        desk = self._desk
        self._set_issuing(True)
        # The printer is asked for paper on a read lane (it may take seconds when it does
        # not answer); only the issue itself goes through the station's write lane, and
        # the print is handed to the printer's own worker after the ticket is committed.
        self._tasks.run_in_background(
            desk.check_printer,
            lambda _r: self._issue_checked(service_code),
            self._on_issue_failed,
            owner=self,
        )

    def _issue_checked(self, service_code: str) -> None:
        desk = self._desk
        self._tasks.run_in_background(
            lambda: desk.issue(service_code, printer_checked=True),
            self._on_issued,
            self._on_issue_failed,
            owner=self,
            write=True,
        )

    def show_services(self) -> None:
        self._hold_timer.stop()
        self.view.pages.setCurrentIndex(0)

    # ------------------------------------------------------------------ state
    def _read_state(self) -> KioskState:
        return self._desk.read()

    def _on_state(self, state: KioskState) -> None:
        if self._hall != state.hall:
            self._hall = state.hall
            self._build_buttons(state.hall)
        counts = {load.service_code: load.waiting for load in state.snapshot.loads}
        for code, button in self._buttons.items():
            n = counts.get(code, 0)
            button.waiting_label.setText(self.tr("%n waiting", "", n))
        if self._load_error:  # the database is back
            self._load_error = False
            self.view.status.clear_message()
        emit(self.refreshed)

    def _on_state_failed(self, exc: BaseException) -> None:
        self._load_error = True
        self.view.status.show_error(error_text(exc), sticky=True)

    def _build_buttons(self, hall: HallInfo) -> None:
        self.view.hall_zh.setText(hall.name_zh)
        self.view.hall_en.setText(hall.name_en)
        self.view.clock.set_timezone(hall.timezone)
        for button in self._buttons.values():
            self.view.grid.removeWidget(button)
            button.deleteLater()
        self._buttons.clear()
        for i, service in enumerate(hall.services):
            button = ServiceButton(service)
            button.clicked.connect(lambda _=False, code=service.code: self.issue(code))
            self.view.grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self._buttons[service.code] = button
        self._set_issuing(self._issuing)

    # ------------------------------------------------------------------ issuing
    def _set_issuing(self, issuing: bool) -> None:
        self._issuing = issuing
        for button in self._buttons.values():
            button.setEnabled(not issuing)
        if issuing:
            self.view.status.show_info(self.tr("Issuing your ticket..."))

    def _on_issued(self, issued: IssuedTicket) -> None:
        self._set_issuing(False)
        self.view.status.clear_message()
        self.last_ticket = issued
        self._show_ticket(issued)
        emit(self.ticket_issued, issued)
        self.refresh()

    def _on_issue_failed(self, exc: BaseException) -> None:
        self._set_issuing(False)
        self.view.status.show_error(error_text(exc))

    def _show_ticket(self, issued: IssuedTicket) -> None:
        v = self.view
        v.ticket_number.setText(issued.ticket.display_number)
        v.ticket_service.setText(f"{issued.service.name_zh}  {issued.service.name_en}")
        if issued.ahead == 0:
            v.ticket_ahead.setText(self.tr("Nobody is ahead of you"))
        else:
            v.ticket_ahead.setText(self.tr("%n people ahead of you", "", issued.ahead))
        # The estimate the ticket prints, in the same words (app/devices/escpos.py labels).
        if issued.no_wait:
            v.ticket_wait.setText(self.tr("Estimated wait: none"))
        else:
            v.ticket_wait.setText(
                self.tr("Estimated wait: about {minutes} min").format(
                    minutes=issued.estimated_wait_min
                )
            )
        zone = hall_zone(self._hall.timezone if self._hall else "UTC")
        at = issued.ticket.issued_at.astimezone(zone)
        v.ticket_time.setText(self.tr("Issued at {time}").format(time=at.strftime("%H:%M:%S")))
        v.pages.setCurrentIndex(1)
        v.done_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._hold_timer.start(self.ticket_hold_ms)
