"""The counter (窗口营业员) window: log in, then call, serve and finish customers by key.

The window is handed its `CounterDesk` and nothing else. Every step is one desk call on
the write lane; the desk checks the step against the rules table (the same one the caller
keypad goes through), does it, and returns the counter's fresh state, so the window shows
the outcome as soon as it returns. A refused step (DomainError) is shown translated in the
status line and changes nothing. The buttons enabled are exactly the steps the desk allows
now; the keys (F1-F11, Ctrl+L) always reach the desk, which decides again on a fresh read,
which also covers a state changed from another PC. The window shows the counter's state
as the database has it even before anyone logged in here (after a restart, a clerk's open
session and current customer are shown, and logging in again takes them back).
"""

from __future__ import annotations

import logging
import uuid

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QWidget

from app.services import errors
from app.services.desks.cashier import CashierDesk
from app.services.desks.counter import CounterDesk, DeskState, LoginResult, StepArgs, StepResult
from app.services.dto import CounterState, HallInfo, StaffInfo
from app.services.errors import DomainError
from app.services.security.actor import Actor
from app.ui.counter_dialogs import CallNumberDialog, LoginDialog, PauseDialog, TransferDialog
from app.ui.counter_render import rating_text, render_elapsed, render_state, success_text
from app.ui.counter_view import ACTIONS, CounterView
from app.ui.loader import StateLoader
from app.ui.messages import error_text, ui_language
from app.ui.pay_panel import PaymentPanel
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager
from app.ui.widgets import DialogSlot

log = logging.getLogger(__name__)

DISSATISFIED_FROM = 3  # ratings 3 and 4 raise an alert of their own


class CounterWindow(QWidget):
    """The clerk's workstation.

    Signals:
        logged_in(StaffInfo): a clerk opened the counter.
        logged_out(): the clerk closed the counter (or the session ended elsewhere).
        action_completed(str): a step succeeded (action name, e.g. 'call_next').
        action_failed(str, str): a step was refused (action name, error code).
        state_changed(CounterState): the counter's state was (re)read.
        alert_shown(AlertInfo): a customer of this counter rated it dissatisfied.
        rating_shown(RatingState): the customer's rating reached the clerk.
    """

    logged_in = Signal(object)
    logged_out = Signal()
    action_completed = Signal(str)
    action_failed = Signal(str, str)
    state_changed = Signal(object)
    alert_shown = Signal(object)
    rating_shown = Signal(object)

    def __init__(
        self,
        desk: CounterDesk,
        tasks: TaskManager,
        parent: QWidget | None = None,
        *,
        cashier: CashierDesk | None = None,
        receipt_paper: str = "roll80",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CounterWindow")
        self._desk = desk
        self._tasks = tasks
        self._hall: HallInfo | None = None
        self._counter_number = desk.fixed_counter
        self._staff: StaffInfo | None = None
        self._state: CounterState | None = None
        self._allowed: frozenset[str] = frozenset()
        self._actor: Actor | None = None  # who logged in at this window (proven)
        self._ratings_seen: set[object] | None = None  # None: not read yet (old ones stay)
        self._busy = False
        self._prompted = False
        self.dialogs = DialogSlot(self)
        self._alerts_seen: set[object] = set()

        # the fee business beside the queue, when this station takes payments
        self.payments = PaymentPanel(cashier, tasks, paper=receipt_paper) if cashier else None
        self.view = CounterView(self, desk.clock, self.payments)
        if self.payments is not None:
            self.payments.status = self.view.status
        self.shortcuts: dict[str, QShortcut] = {}
        for name, key in ACTIONS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda name=name: self.trigger(name))
            self.shortcuts[name] = shortcut
            self.view.buttons[name].clicked.connect(lambda _=False, name=name: self.trigger(name))
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self._loader = StateLoader(tasks, self._read_state, self)
        self._loader.loaded.connect(self._on_data)
        self._loader.failed.connect(lambda exc: self.view.status.show_error(error_text(exc)))
        self.setWindowTitle(self.tr("HallDesk - Counter"))
        self.resize(1440, 860) if cashier else self.resize(1180, 760)
        self._render()

    # ------------------------------------------------------------------ public
    @property
    def staff(self) -> StaffInfo | None:
        return self._staff

    @property
    def state(self) -> CounterState | None:
        return self._state

    @property
    def counter_number(self) -> int:
        return self._counter_number

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def dialog(self) -> QDialog | None:
        return self.dialogs.dialog

    @property
    def login_dialog(self) -> LoginDialog | None:
        return self.dialog if isinstance(self.dialog, LoginDialog) else None

    def refresh(self) -> None:
        self._loader.request()

    def on_hall_changed(self, _last_id: object = None) -> None:
        self.refresh()

    def on_watch_failed(self, code: str) -> None:
        self.view.status.show_error(error_text(DomainError(code, code)), sticky=True)

    def on_watch_recovered(self) -> None:
        self.view.status.clear_message()
        self.refresh()

    def open_login(self, message: str = "") -> None:
        if self.login_dialog is not None:
            return
        self.dialogs.close()
        hall = self._hall
        max_counter = max((c.number for c in hall.counters), default=99) if hall else 99
        fixed = self._desk.fixed_counter
        dialog = LoginDialog(fixed, max_counter, self)
        if not fixed and self._counter_number:
            dialog.counter.setValue(self._counter_number)
        dialog.login_requested.connect(self._login)
        if message:
            dialog.status.show_error(message, sticky=True)
        self.dialogs.open(dialog, None)

    def trigger(self, action: str) -> None:
        """What a button or its key does."""
        if self._staff is None:
            if action == "logout":
                self.open_login()
            else:
                self.view.status.show_error(self.tr("Please log in first (Ctrl+L)."))
            return
        if self._busy:
            self.view.status.show_info(self.tr("Please wait: the last step is still running."))
            return
        special = getattr(self, f"_act_{action}", None)
        if special is not None:
            special()
        else:
            self._run(action)

    # ------------------------------------------------------------------ actions
    def _act_call_back(self) -> None:
        item = self.view.held.currentItem()
        ticket_id = uuid.UUID(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self._run("call_back", StepArgs(ticket_id=ticket_id))

    def _act_transfer(self) -> None:
        current = self._state.current if self._state else None
        if current is None or self._hall is None or "transfer" not in self._allowed:
            self._run("transfer")  # the desk says why not
            return
        choices, default = self._desk.transfer_choices(self._hall, self._counter_number, current)
        dialog = TransferDialog(current.display_number, choices, default, ui_language(), self)
        self.dialogs.open(dialog, lambda: self._run("transfer", StepArgs(dialog.service_code)))

    def _act_call_number(self) -> None:
        if "call_number" not in self._allowed:
            self._run("call_number")
            return
        dialog = CallNumberDialog(self)
        self.dialogs.open(dialog, lambda: self._run("call_number", StepArgs(number=dialog.value)))

    def _act_pause(self) -> None:
        if "pause" not in self._allowed or (self._state is not None and self._state.paused):
            self._run("pause")  # resumes, or the desk says why not
            return
        dialog = PauseDialog(self)
        self.dialogs.open(dialog, lambda: self._run("pause", StepArgs(reason=dialog.reason_code)))

    def _run(self, action: str, args: StepArgs | None = None) -> None:
        desk, number, actor = self._desk, self._counter_number, self._actor
        self.view.status.clear_message()
        self._set_busy(True)
        self._tasks.run_in_background(
            lambda: desk.step(number, action, args, actor=actor),
            self._on_action_done,
            lambda exc: self._on_action_failed(action, exc),
            owner=self,
            write=True,
        )

    def _on_action_done(self, result: StepResult) -> None:
        self._set_busy(False)
        if result.action == "logout":
            self._logged_out(self.tr("Logged out."))
            self._show_desk(result.desk)
            emit(self.action_completed, "logout")
            return
        self._show_desk(result.desk)
        self.view.status.show_info(success_text(result.action, result.ticket, self._hall))
        emit(self.action_completed, result.action)

    def _on_action_failed(self, action: str, exc: BaseException) -> None:
        self._set_busy(False)
        self.view.status.show_error(error_text(exc))
        emit(self.action_failed, action, exc.code if isinstance(exc, DomainError) else "internal")
        self.refresh()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._render()

    # ------------------------------------------------------------------ login
    def _login(self, job: str, password: str, counter: int) -> None:
        desk = self._desk
        dialog = self.login_dialog
        new_password = dialog.chosen_password if dialog is not None else None
        self._tasks.run_in_background(
            lambda: desk.log_in(job, password, counter, new_password=new_password),
            self._on_logged_in,
            self._on_login_failed,
            owner=self,
            write=True,
        )

    def _on_logged_in(self, result: LoginResult) -> None:
        self.dialogs.close()
        self._actor = result.actor
        self._staff = result.staff
        self._counter_number = result.desk.counter_number
        self._show_desk(result.desk)
        self.view.status.show_info(self.tr("Welcome, {name}.").format(name=result.staff.name))
        self.activateWindow()
        if self.payments is not None:
            self.payments.set_clerk(result.actor, self._counter_number, result.desk.hall.timezone)
            self.payments.focus_search()
        emit(self.logged_in, result.staff)

    def _on_login_failed(self, exc: BaseException) -> None:
        dialog = self.login_dialog
        code = exc.code if isinstance(exc, DomainError) else ""
        if dialog is not None and code == errors.PASSWORD_CHANGE_REQUIRED:
            dialog.ask_new_password(error_text(exc))
        elif dialog is not None:
            dialog.show_error(error_text(exc))
        else:
            self.view.status.show_error(error_text(exc))

    def _logged_out(self, message: str) -> None:
        self._staff = None
        self._actor = None
        if self.payments is not None:
            self.payments.close_dialog()
            self.payments.set_clerk(None, 0, "UTC")
        self._render()
        self.view.status.show_info(message)
        emit(self.logged_out)
        self.open_login()

    # ------------------------------------------------------------------ state
    def _read_state(self) -> DeskState:
        return self._desk.read(self._counter_number)

    def _set_hall(self, hall: HallInfo) -> None:
        if hall != self._hall:
            self._hall = hall
            self.view.clock.set_timezone(hall.timezone)

    def _on_data(self, desk: DeskState) -> None:
        if not self._busy:
            self._show_desk(desk)

    def _show_desk(self, desk: DeskState) -> None:
        """Show the counter as the database has it; tell the clerk about new ratings."""
        if (
            self._state is not None
            and desk.state is not None
            and desk.state.last_event_id < self._state.last_event_id
            and desk.counter_number == self._counter_number
        ):
            return  # a read that started before our last step returned: already outdated
        self._set_hall(desk.hall)
        state = desk.state
        if self._staff is not None:
            mine = state is not None and state.session_open and state.staff is not None
            if not mine or state.staff.id != self._staff.id:  # type: ignore[union-attr]
                self._state, self._allowed = state, frozenset()
                self._logged_out(self.tr("You are no longer logged in at this counter."))
                return
        self._state = state
        self._allowed = desk.allowed if self._staff is not None else frozenset()
        if self.payments is not None:  # what is paid now belongs to this customer's visit
            self.payments.set_ticket(state.current.id if state and state.current else None)
        if self._staff is not None:
            self._tell_alerts(desk)
            self._tell_rating(desk)
        self._render()
        if state is not None:
            emit(self.state_changed, state)

    def _tell_alerts(self, desk: DeskState) -> None:
        for alert in desk.alerts:
            if alert.id not in self._alerts_seen:
                self._alerts_seen.add(alert.id)
                log.warning("counter %s: %s", self._counter_number, alert.message)
                self.view.status.show_error(
                    self.tr("A customer rated the service dissatisfied. The duty manager is told."),
                    sticky=True,
                )
                emit(self.alert_shown, alert)

    def _tell_rating(self, desk: DeskState) -> None:
        rating = desk.rating
        if self._ratings_seen is None:  # the first read: what is already closed is old news
            self._ratings_seen = set()
            if rating is not None and rating.status != "requested":
                self._ratings_seen.add(rating.id)
            return
        if rating is None or rating.status == "requested" or rating.id in self._ratings_seen:
            return
        self._ratings_seen.add(rating.id)
        if rating.rating is not None and rating.rating >= DISSATISFIED_FROM:
            return  # the dissatisfied alert says it
        self.view.status.show_info(rating_text(rating))
        emit(self.rating_shown, rating)

    def _render(self) -> None:
        render_state(self.view, self._hall, self._counter_number, self._staff, self._state)
        for name, button in self.view.buttons.items():
            if name == "logout" and self._staff is None:
                button.setEnabled(not self._busy)  # the log-in button
            else:
                button.setEnabled(not self._busy and name in self._allowed)
        self._tick()

    def _tick(self) -> None:
        render_elapsed(self.view, self._state, self._desk.clock.now())
        if self.payments is not None:
            self.payments.show_sync(self.view.sync_badge)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._prompted:
            self._prompted = True
            self.refresh()
            QTimer.singleShot(0, self, self._prompt_login)

    def _prompt_login(self) -> None:
        if self._staff is None:
            self.open_login()
