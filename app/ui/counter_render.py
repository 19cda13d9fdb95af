"""Filling the counter window from its state: texts, enabled buttons, success messages.

Texts here belong to the `CounterWindow` translation context (explicit, so lupdate and the
runtime agree on it).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLabel, QListWidgetItem

from app.services.dto import CounterState, HallInfo, RatingState, StaffInfo, TicketInfo
from app.ui.counter_view import ACTIONS, CounterView
from app.ui.messages import (
    minutes_seconds,
    pause_reason_text,
    rating_name,
    status_text,
    ui_language,
)
from app.ui.theme import repolish
from app.ui.widgets import clear_layout

translate = QCoreApplication.translate


def action_labels(paused: bool, logged_in: bool) -> dict[str, str]:
    labels = {
        "call_next": translate("CounterWindow", "Call next"),
        "recall": translate("CounterWindow", "Recall"),
        "start": translate("CounterWindow", "Start"),
        "finish": translate("CounterWindow", "Finish"),
        "no_show": translate("CounterWindow", "No-show"),
        "hold": translate("CounterWindow", "Hold"),
        "call_back": translate("CounterWindow", "Call back"),
        "transfer": translate("CounterWindow", "Transfer..."),
        "call_number": translate("CounterWindow", "Call number..."),
        "pause": translate("CounterWindow", "Resume")
        if paused
        else translate("CounterWindow", "Pause..."),
        "rate": translate("CounterWindow", "Ask for rating"),
        "logout": translate("CounterWindow", "Log out")
        if logged_in
        else translate("CounterWindow", "Log in..."),
    }
    return labels


def _service_name(hall: HallInfo | None, ticket: TicketInfo) -> str:
    service = hall.service_by_id(ticket.service_id) if hall else None
    return service.name(ui_language()) if service else ""


def render_state(
    view: CounterView,
    hall: HallInfo | None,
    counter_number: int,
    staff: StaffInfo | None,
    state: CounterState | None,
) -> None:
    """Fill every label of the window (not the elapsed time: see `render_elapsed`)."""
    if counter_number:
        view.counter_name.setText(
            translate("CounterWindow", "Counter {number}").format(number=counter_number)
        )
    else:
        view.counter_name.setText(translate("CounterWindow", "Counter"))
    # One truth: the counter as the database has it, whoever is logged in at this PC.
    holder = state.staff if state is not None and state.session_open else None
    if holder is None:
        view.clerk.setText(translate("CounterWindow", "Not logged in"))
        chip, chip_state = translate("CounterWindow", "Closed"), "closed"
    else:
        who = f"{holder.name} ({holder.job_number})"
        if staff is None:
            who = translate("CounterWindow", "{clerk} - log in to continue").format(clerk=who)
        view.clerk.setText(who)
        if state is not None and state.paused:
            chip = translate("CounterWindow", "Paused: {reason}").format(
                reason=pause_reason_text(state.pause_reason)
            )
            chip_state = "paused"
        else:
            chip, chip_state = translate("CounterWindow", "Open"), "open"
    view.state_chip.setText(chip)
    if view.state_chip.property("state") != chip_state:
        view.state_chip.setProperty("state", chip_state)
        repolish(view.state_chip)

    keys = dict(ACTIONS)
    labels = action_labels(bool(state and state.paused), staff is not None)
    for name, button in view.buttons.items():
        button.setText(f"{labels[name]}\n{keys[name]}")

    view.current_caption.setText(translate("CounterWindow", "Current customer"))
    view.waiting_caption.setText(translate("CounterWindow", "Waiting for this counter"))
    view.held_caption.setText(translate("CounterWindow", "On hold (F7 calls back)"))
    current = state.current if state is not None else None
    if current is None:
        view.current_number.setText("—")
        view.current_service.setText("")
        view.current_status.setText("")
        view.recalls.setText("")
        if staff is None:
            view.hint.setText(translate("CounterWindow", "Log in to open the counter (Ctrl+L)."))
        elif state is not None and state.paused:
            view.hint.setText(translate("CounterWindow", "The counter is paused. F10 resumes."))
        else:
            view.hint.setText(
                translate("CounterWindow", "No current customer. F1 calls the next one.")
            )
    else:
        view.current_number.setText(current.display_number)
        view.current_service.setText(_service_name(hall, current))
        view.current_status.setText(status_text(current.status))
        view.recalls.setText(
            translate("CounterWindow", "Recalled %n time(s)", "", current.recall_count)
            if current.recall_count
            else ""
        )
        view.hint.setText("")
    _render_waiting(view, hall, state)
    _render_held(view, hall, state)


def render_elapsed(view: CounterView, state: CounterState | None, now: datetime) -> None:
    current = state.current if state else None
    if current is None:
        view.elapsed.setText("")
        return
    if current.status == "serving" and current.serving_at is not None:
        elapsed = minutes_seconds((now - current.serving_at).total_seconds())
        view.elapsed.setText(translate("CounterWindow", "Serving for {time}").format(time=elapsed))
    elif (since := state.current_since if state else None) or current.called_at:
        called = since or current.called_at
        assert called is not None
        elapsed = minutes_seconds((now - called).total_seconds())
        view.elapsed.setText(
            translate("CounterWindow", "Since the call: {time}").format(time=elapsed)
        )
    else:
        view.elapsed.setText("")


def _render_waiting(view: CounterView, hall: HallInfo | None, state: CounterState | None) -> None:
    grid = view.waiting_grid
    clear_layout(grid)
    if state is None:
        return
    language = ui_language()
    rows = list(state.waiting)
    for row, (code, count) in enumerate(rows):
        service = hall.service(code) if hall else None
        name = QLabel(f"{service.prefix}  {service.name(language)}" if service else code)
        name.setObjectName("WaitingName")
        number = QLabel(str(count))
        number.setObjectName("WaitingCount")
        number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(name, row, 0)
        grid.addWidget(number, row, 1)
    rule = QFrame()
    rule.setObjectName("Rule")
    rule.setFrameShape(QFrame.Shape.HLine)
    grid.addWidget(rule, len(rows), 0, 1, 2)
    total = QLabel(translate("CounterWindow", "Total"))
    total.setObjectName("WaitingTotalName")
    total_count = QLabel(str(state.waiting_total))
    total_count.setObjectName("WaitingTotal")
    total_count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    grid.addWidget(total, len(rows) + 1, 0)
    grid.addWidget(total_count, len(rows) + 1, 1)


def _render_held(view: CounterView, hall: HallInfo | None, state: CounterState | None) -> None:
    held = state.held if state else ()
    wanted = [str(t.id) for t in held]
    shown = [view.held.item(i).data(Qt.ItemDataRole.UserRole) for i in range(view.held.count())]
    if wanted == shown:
        return  # unchanged: keep the clerk's selection
    selected = view.held.currentItem()
    keep = selected.data(Qt.ItemDataRole.UserRole) if selected else None
    view.held.clear()
    for ticket in held:
        item = QListWidgetItem(f"{ticket.display_number}   {_service_name(hall, ticket)}")
        item.setData(Qt.ItemDataRole.UserRole, str(ticket.id))
        view.held.addItem(item)
        if str(ticket.id) == keep:
            view.held.setCurrentItem(item)


def rating_text(rating: RatingState) -> str:
    """What the clerk is told when the customer rated (or did not)."""
    if rating.status == "not_rated" or rating.rating is None:
        return translate("CounterWindow", "{number}: the customer did not rate.").format(
            number=rating.display_number
        )
    return translate("CounterWindow", "{number} rated the service: {rating}.").format(
        number=rating.display_number, rating=rating_name(rating.rating)
    )


def success_text(action: str, ticket: TicketInfo | None, hall: HallInfo | None) -> str:
    number = ticket.display_number if ticket else ""
    if action in ("call_next", "call_number"):
        if ticket is None:
            return translate("CounterWindow", "Nobody is waiting.")
        return translate("CounterWindow", "Called {number}.").format(number=number)
    if action == "transfer" and ticket is not None:
        return translate("CounterWindow", "{number} transferred to {service}.").format(
            number=number, service=_service_name(hall, ticket)
        )
    texts = {
        "recall": translate("CounterWindow", "Recalled {number}."),
        "start": translate("CounterWindow", "Serving {number}."),
        "finish": translate("CounterWindow", "{number} finished."),
        "no_show": translate("CounterWindow", "{number} marked as no-show."),
        "hold": translate("CounterWindow", "{number} is on hold."),
        "call_back": translate("CounterWindow", "Called back {number}."),
        "pause": translate("CounterWindow", "The counter is paused."),
        "resume": translate("CounterWindow", "The counter is open again."),
        "rate": translate("CounterWindow", "The evaluator asks the customer to rate."),
    }
    return texts.get(action, "").format(number=number)
