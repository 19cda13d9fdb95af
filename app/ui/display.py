"""The hall display (叫号大屏): the latest call big, recent calls, counters, waiting counts.

When the hall watcher reports a change, the display asks its feed (`DisplayFeed`) for the
calls after the last event it has seen and a hall snapshot, in one background op. Each
new call ('called', 'recalled', 'called_back') is highlighted and handed to the
`VoiceCaller`, which speaks the calls one after another. On start the display takes the
current last event id as its starting point, so nothing old is announced. "Now calling"
shows only calls that are still current: the ticket is called or served at an open,
unpaused counter; a finished, transferred or logged-out call leaves the panel.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.services.clock import Clock
from app.services.desks.display import DisplayFeed, DisplayUpdate
from app.services.dto import HallInfo, HallSnapshot
from app.services.errors import DomainError
from app.ui.display_view import DisplayView, label
from app.ui.loader import StateLoader
from app.ui.messages import error_text, ui_language
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager
from app.ui.theme import repolish, set_pixel_size
from app.ui.voice import VoiceCaller

log = logging.getLogger(__name__)

RECENT_ROWS = 7
STALE_CALL = timedelta(minutes=5)


class DisplayWindow(QWidget):
    """The hall's big screen.

    Signals:
        call_shown(QueueEvent): a new call was highlighted (and queued to be spoken).
        refreshed(): the screen was updated from a new snapshot.
    """

    call_shown = Signal(object)
    refreshed = Signal()

    def __init__(
        self,
        feed: DisplayFeed,
        clock: Clock,
        tasks: TaskManager,
        voice: VoiceCaller | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DisplayWindow")
        self._feed = feed
        self._clock = clock
        self._hall: HallInfo | None = None
        self._last_seen: int | None = None
        self._snapshot: HallSnapshot | None = None
        self.voice = voice
        self.view = DisplayView(self, clock)
        self.view.mute.toggled.connect(self.set_muted)
        self.view.mute.setVisible(voice is not None)
        QShortcut(QKeySequence("M"), self).activated.connect(self.view.mute.toggle)
        QShortcut(QKeySequence("F11"), self).activated.connect(self.toggle_fullscreen)
        QShortcut(QKeySequence("Esc"), self).activated.connect(self.showNormal)
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(400)
        self._flash_timer.timeout.connect(self._flash_step)
        self._flash_left = 0
        self._loader = StateLoader(tasks, self._read, self)
        self._loader.loaded.connect(self._on_update)
        self._loader.failed.connect(self._on_failed)
        self.setWindowTitle(self.tr("HallDesk - Hall display"))
        self.view.latest_caption.setText(self.tr("Now calling"))
        self.view.recent_caption.setText(self.tr("Recent calls"))
        self.view.counters_caption.setText(self.tr("Counters"))
        self.view.waiting_caption.setText(self.tr("Waiting"))
        self.view.latest_call.setText("—")
        self._update_mute_text()
        self.resize(1280, 720)

    # ------------------------------------------------------------------ public
    @property
    def latest_call_text(self) -> str:
        return self.view.latest_call.text()

    @property
    def flashing(self) -> bool:
        return self._flash_timer.isActive()

    @property
    def last_seen(self) -> int | None:
        return self._last_seen

    def refresh(self) -> None:
        self._loader.request()

    def on_hall_changed(self, _last_id: object = None) -> None:
        self.refresh()

    def on_watch_failed(self, code: str) -> None:
        self.view.status.show_error(error_text(DomainError(code, code)), sticky=True)

    def on_watch_recovered(self) -> None:
        self.view.status.clear_message()
        self.refresh()

    def set_muted(self, muted: bool) -> None:
        if self.view.mute.isChecked() != muted:
            self.view.mute.setChecked(muted)  # comes back here through `toggled`
            return
        if self.voice is not None:
            self.voice.set_muted(muted)
        self._update_mute_text()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # ------------------------------------------------------------------ reading
    def _read(self) -> DisplayUpdate:
        """Worker thread: the new call events and a snapshot of the hall."""
        return self._feed.read(self._last_seen)

    def _on_update(self, update: DisplayUpdate) -> None:
        if self._hall != update.hall:
            self._hall = update.hall
            self.view.hall_name.setText(f"{update.hall.name_zh}  {update.hall.name_en}")
            self.view.clock.set_timezone(update.hall.timezone)
        self._last_seen = update.last_seen
        if self.view.status.level == "error":
            self.view.status.clear_message()
        self._snapshot = update.snapshot
        self._render(update.snapshot)
        now = self._clock.now()
        for event in update.calls:
            emit(self.call_shown, event)
            if self.voice is not None and event.counter_number is not None:
                if now - event.at > STALE_CALL:
                    log.info("not announcing old call %s (%s)", event.display_number, event.at)
                    continue
                self.voice.announce(event.display_number, event.counter_number)
        if update.calls:
            self._start_flash()
        emit(self.refreshed)

    def _on_failed(self, exc: BaseException) -> None:
        self.view.status.show_error(error_text(exc), sticky=True)

    # ------------------------------------------------------------------ rendering
    def _call_text(self, number: str, counter: int | None) -> str:
        return self.tr("{number} → Counter {counter}").format(number=number, counter=counter)

    def _other_language_name(self, counter: int | None) -> str:
        info = self._hall.counter(counter) if self._hall and counter is not None else None
        if info is None:
            return ""
        return info.name_en if ui_language().startswith("zh") else info.name_zh

    def _render(self, snapshot: HallSnapshot) -> None:
        v = self.view
        calls = list(snapshot.now_calling)  # still current, the newest call first
        if calls:
            latest = calls[0]
            v.latest_call.setText(self._call_text(latest.display_number, latest.counter_number))
            other = self._other_language_name(latest.counter_number)
            v.latest_sub.setText(f"{latest.display_number} → {other}" if other else "")
        else:
            v.latest_call.setText("—")
            v.latest_sub.setText(self.tr("Please wait for your number"))
        self._fit_latest()
        v.clear(v.recent_grid)
        for row, event in enumerate(calls[1 : RECENT_ROWS + 1]):
            number = label("RecentNumber")
            number.setText(event.display_number)
            where = label("RecentCounter")
            where.setText(self.tr("Counter {counter}").format(counter=event.counter_number))
            for w in (number, where):
                set_pixel_size(w, v.px("recent"), bold=w is number)
            v.recent_grid.addWidget(number, row, 0)
            v.recent_grid.addWidget(where, row, 1)
        self._render_counters(snapshot)
        self._render_waiting(snapshot)

    def _render_counters(self, snapshot: HallSnapshot) -> None:
        v = self.view
        v.clear(v.counter_grid)
        columns = max(1, min(8, len(snapshot.counters)))
        for i, board in enumerate(snapshot.counters):
            tile = QFrame()
            tile.setObjectName("CounterTile")
            state = "paused" if board.paused else ("open" if board.open else "closed")
            tile.setProperty("state", state)
            box = QVBoxLayout(tile)
            box.setContentsMargins(10, 6, 10, 6)
            box.setSpacing(0)
            name = label("TileName")
            name.setText(self.tr("Counter {counter}").format(counter=board.counter_number))
            number = label("TileNumber")
            if board.paused:
                number.setText(self.tr("Paused"))
            elif not board.open:
                number.setText(self.tr("Closed"))
            else:
                number.setText(board.current_number or "—")
            for w in (name, number):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
                box.addWidget(w)
            set_pixel_size(name, v.px("tile_name"))
            big = board.open and not board.paused
            set_pixel_size(number, v.px("tile_number" if big else "tile_name"), bold=big)
            v.counter_grid.addWidget(tile, i // columns, i % columns)

    def _render_waiting(self, snapshot: HallSnapshot) -> None:
        v = self.view
        v.clear(v.waiting_row)
        language = ui_language()
        for load in snapshot.loads:
            service = self._hall.service(load.service_code) if self._hall else None
            name = service.name(language) if service else load.service_code
            item = QLabel(self.tr("{service}: %n waiting", "", load.waiting).format(service=name))
            item.setObjectName("WaitingItem")
            set_pixel_size(item, v.px("waiting"))
            v.waiting_row.addWidget(item)
        v.waiting_row.addStretch(1)

    def _fit_latest(self) -> None:
        """Largest size up to the design size at which the latest call fits its panel."""
        v = self.view
        size = v.px("latest")
        set_pixel_size(v.latest_call, size, bold=True)
        room = v.latest_panel.contentsRect().width() - 56
        text_width = v.latest_call.fontMetrics().horizontalAdvance(v.latest_call.text())
        if room > 0 and text_width > room:
            set_pixel_size(v.latest_call, int(size * room / text_width), bold=True)

    def _update_mute_text(self) -> None:
        muted = self.view.mute.isChecked()
        self.view.mute.setText(self.tr("Voice off (M)") if muted else self.tr("Voice on (M)"))

    # ------------------------------------------------------------------ flashing
    def _start_flash(self) -> None:
        self._flash_left = 6
        self._flash_timer.start()
        self._flash_step()

    def _flash_step(self) -> None:
        panel = self.view.latest_panel
        on = self._flash_left % 2 == 0 and self._flash_left > 0
        panel.setProperty("flash", on)
        repolish(panel)
        self._flash_left -= 1
        if self._flash_left < 0:
            self._flash_timer.stop()
            panel.setProperty("flash", False)
            repolish(panel)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.view.apply_scale(event.size().height())
        if self._snapshot is not None:
            self._render(self._snapshot)  # rebuild the generated rows at the new size
        else:
            self._fit_latest()
