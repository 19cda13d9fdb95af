"""The counter (窗口营业员) window: log in, then call, serve and finish customers by key.

Every step is one service call on the write lane followed, in the same background op, by
a fresh read of the counter's state, so the window shows the outcome as soon as it
returns. A refused step (DomainError) is shown translated in the status line and changes
nothing. The keys (F1-F10, Ctrl+L) always reach the service, even when the button looks
disabled: the database decides, which also covers a state changed from another PC.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QWidget

from app.bootstrap import Core
from app.services import errors
from app.services.dto import CounterState, HallInfo, StaffInfo, TicketInfo
from app.services.errors import DomainError
from app.services.evaluation.service import AlertInfo
from app.ui.counter_dialogs import CallNumberDialog, LoginDialog, PauseDialog, TransferDialog
from app.ui.counter_render import allowed_actions, render_elapsed, render_state, success_text
from app.ui.counter_view import ACTIONS, CounterView
from app.ui.loader import StateLoader
from app.ui.messages import error_text, ui_language
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CounterData:
    hall: HallInfo
    state: CounterState | None
    # open "dissatisfied" alerts of this counter (the clerk is told at once)
    alerts: tuple[AlertInfo, ...] = ()


@dataclass(frozen=True)
class LoginResult:
    staff: StaffInfo
    counter: int
    hall: HallInfo
    state: CounterState


@dataclass(frozen=True)
class ActionResult:
    action: str
    ticket: TicketInfo | None
    state: CounterState


class CounterWindow(QWidget):
    """The clerk's workstation.

    Signals:
        logged_in(StaffInfo): a clerk opened the counter.
        logged_out(): the clerk closed the counter (or the session ended elsewhere).
        action_completed(str): a step succeeded (action name, e.g. 'call_next').
        action_failed(str, str): a step was refused (action name, error code).
        state_changed(CounterState): the counter's state was (re)read.
        alert_shown(AlertInfo): a customer of this counter rated it dissatisfied.
    """

    logged_in = Signal(object)
    logged_out = Signal()
    action_completed = Signal(str)
    action_failed = Signal(str, str)
    state_changed = Signal(object)
    alert_shown = Signal(object)

    def __init__(self, core: Core, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CounterWindow")
        self._core = core
        self._tasks = tasks
        self._hall_code = core.hall_code
        self._hall: HallInfo | None = None
        self._counter_number = core.settings.station.counter
        self._staff: StaffInfo | None = None
        self._state: CounterState | None = None
        self._busy = False
        self._prompted = False
        self.dialog: QDialog | None = None
        self._alerts_seen: set[object] = set()

        self.view = CounterView(self, core.clock)
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
        self.resize(1180, 760)
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
        self._close_dialog()
        hall = self._hall
        max_counter = max((c.number for c in hall.counters), default=99) if hall else 99
        fixed = self._core.settings.station.counter
        dialog = LoginDialog(fixed, max_counter, self)
        if not fixed and self._counter_number:
            dialog.counter.setValue(self._counter_number)
        dialog.login_requested.connect(self._login)
        if message:
            dialog.status.show_error(message, sticky=True)
        self._open_dialog(dialog, None)

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
        getattr(self, f"_act_{action}")()

    # ------------------------------------------------------------------ actions
    def _act_call_next(self) -> None:
        self._run("call_next", lambda q, h, n: q.call_next(h, n))

    def _act_recall(self) -> None:
        self._run("recall", lambda q, h, n: q.recall(h, n))

    def _act_start(self) -> None:
        self._run("start", lambda q, h, n: q.start_serving(h, n))

    def _act_finish(self) -> None:
        self._run("finish", lambda q, h, n: q.finish(h, n))

    def _act_no_show(self) -> None:
        self._run("no_show", lambda q, h, n: q.no_show(h, n))

    def _act_hold(self) -> None:
        self._run("hold", lambda q, h, n: q.hold(h, n))

    def _act_call_back(self) -> None:
        item = self.view.held.currentItem()
        ticket_id = uuid.UUID(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self._run("call_back", lambda q, h, n: q.call_back(h, n, ticket_id))

    def _act_transfer(self) -> None:
        current = self._state.current if self._state else None
        if current is None or self._hall is None:
            self._refuse("transfer", errors.NO_CURRENT_TICKET)
            return
        hall = self._hall
        counter = hall.counter(self._counter_number)
        default = None
        if counter is not None and counter.transfer_service_id is not None:
            target = hall.service_by_id(counter.transfer_service_id)
            default = target.code if target else None
        choices = [s for s in hall.services if s.id != current.service_id]
        dialog = TransferDialog(current.display_number, choices, default, ui_language(), self)
        self._open_dialog(dialog, lambda: self._transfer_to(dialog.service_code))

    def _act_call_number(self) -> None:
        if self._state is not None and self._state.paused:
            self._refuse("call_number", errors.COUNTER_PAUSED)
            return
        dialog = CallNumberDialog(self)
        self._open_dialog(dialog, lambda: self._call_number(dialog.value))

    def _act_pause(self) -> None:
        counters = self._core.counters
        if self._state is not None and self._state.paused:
            self._run("resume", lambda _q, h, n: counters.resume(h, n))
            return
        if self._state is not None and self._state.current is not None:
            self._refuse("pause", errors.COUNTER_BUSY)
            return
        dialog = PauseDialog(self)
        self._open_dialog(dialog, lambda: self._pause(dialog.reason_code))

    # The dialog's choice is read here, on the GUI thread; the op only gets the text.
    def _transfer_to(self, service_code: str) -> None:
        self._run("transfer", lambda q, h, n: q.transfer(h, n, service_code))

    def _call_number(self, number: str) -> None:
        self._run("call_number", lambda q, h, n: q.call_number(h, n, number))

    def _pause(self, reason: str) -> None:
        counters = self._core.counters
        self._run("pause", lambda _q, h, n: counters.pause(h, n, reason))

    def _act_rate(self) -> None:
        evaluations = self._core.evaluations
        scale = next(
            (
                d.scale
                for d in self._core.settings.devices
                if d.kind == "evaluator" and d.counter == self._counter_number
            ),
            4,
        )
        self._run("rate", lambda _q, h, n: evaluations.request_rating(h, n, scale))

    def _act_logout(self) -> None:
        counters = self._core.counters
        self._run("logout", lambda _q, h, n: counters.close_session(h, n))

    def _refuse(self, action: str, code: str) -> None:
        self.view.status.show_error(error_text(DomainError(code, code)))
        emit(self.action_failed, action, code)

    def _run(self, action: str, step: Callable[..., object]) -> None:
        queue, queries = self._core.queue, self._core.queries
        hall, number = self._hall_code, self._counter_number

        def op() -> ActionResult:
            result = step(queue, hall, number)
            ticket = result if isinstance(result, TicketInfo) else None
            return ActionResult(action, ticket, queries.counter_state(hall, number))

        self._set_busy(True)
        self._tasks.run_in_background(
            op,
            self._on_action_done,
            lambda exc: self._on_action_failed(action, exc),
            owner=self,
            write=True,
        )

    def _on_action_done(self, result: ActionResult) -> None:
        self._set_busy(False)
        if result.action == "logout":
            self._logged_out(self.tr("Logged out."))
            emit(self.action_completed, "logout")
            return
        self._apply_state(result.state)
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
        core, hall = self._core, self._hall_code

        def op() -> LoginResult:
            staff = core.auth.login(job, password)
            core.counters.open_session(hall, counter, staff.id)
            info = core.queries.hall(hall)
            return LoginResult(staff, counter, info, core.queries.counter_state(hall, counter))

        self._tasks.run_in_background(
            op, self._on_logged_in, self._on_login_failed, owner=self, write=True
        )

    def _on_logged_in(self, result: LoginResult) -> None:
        self._close_dialog()
        self._staff = result.staff
        self._counter_number = result.counter
        self._set_hall(result.hall)
        self._apply_state(result.state)
        self.view.status.show_info(self.tr("Welcome, {name}.").format(name=result.staff.name))
        self.activateWindow()
        emit(self.logged_in, result.staff)

    def _on_login_failed(self, exc: BaseException) -> None:
        dialog = self.login_dialog
        if dialog is not None:
            dialog.show_error(error_text(exc))
        else:
            self.view.status.show_error(error_text(exc))

    def _logged_out(self, message: str) -> None:
        self._staff = None
        self._state = None
        self._render()
        self.view.status.show_info(message)
        emit(self.logged_out)
        self.open_login()

    # ------------------------------------------------------------------ state
    def _read_state(self) -> CounterData:
        queries, hall, number = self._core.queries, self._hall_code, self._counter_number
        state = queries.counter_state(hall, number) if self._staff and number else None
        alerts: tuple[AlertInfo, ...] = ()
        if state is not None:
            alerts = tuple(
                a
                for a in self._core.evaluations.alerts(hall)
                if a.kind == "dissatisfied" and a.counter_number == number
            )
        return CounterData(queries.hall(hall), state, alerts)

    def _set_hall(self, hall: HallInfo) -> None:
        if hall != self._hall:
            self._hall = hall
            self.view.clock.set_timezone(hall.timezone)

    def _on_data(self, data: CounterData) -> None:
        self._set_hall(data.hall)
        for alert in data.alerts:
            if alert.id not in self._alerts_seen:
                self._alerts_seen.add(alert.id)
                log.warning("counter %s: %s", self._counter_number, alert.message)
                self.view.status.show_error(
                    self.tr("A customer rated the service dissatisfied. The duty manager is told."),
                    sticky=True,
                )
                emit(self.alert_shown, alert)
        if data.state is not None and self._staff is not None and not self._busy:
            self._apply_state(data.state)
        else:
            self._render()

    def _apply_state(self, state: CounterState) -> None:
        if self._state is not None and state.last_event_id < self._state.last_event_id:
            return  # a read that started before our last step returned: already outdated
        mine = state.session_open and state.staff is not None and self._staff is not None
        if not mine or state.staff.id != self._staff.id:  # type: ignore[union-attr]
            if self._staff is not None:
                self._logged_out(self.tr("You are no longer logged in at this counter."))
            return
        self._state = state
        self._render()
        emit(self.state_changed, state)

    def _render(self) -> None:
        render_state(self.view, self._hall, self._counter_number, self._staff, self._state)
        allowed = allowed_actions(self._state if self._staff else None)
        for name, button in self.view.buttons.items():
            button.setEnabled(not self._busy and name in allowed)
        self._tick()

    def _tick(self) -> None:
        render_elapsed(self.view, self._state if self._staff else None, self._core.clock.now())

    # ------------------------------------------------------------------ dialogs
    def _open_dialog(self, dialog: QDialog, on_accept: Callable[[], None] | None) -> None:
        self._close_dialog()
        self.dialog = dialog
        if on_accept is not None:
            dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_finished(d))
        dialog.open()

    def _dialog_finished(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        if self.isVisible():
            self.activateWindow()  # the keys go back to the counter's shortcuts

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Rejected)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._prompted:
            self._prompted = True
            self.refresh()
            QTimer.singleShot(0, self, self._prompt_login)

    def _prompt_login(self) -> None:
        if self._staff is None:
            self.open_login()
