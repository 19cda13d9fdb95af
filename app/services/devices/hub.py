"""The hall's devices wired to the services (the `bus` role).

The hub builds one port owner per configured bus (`app.devices`), and runs one worker
thread — the single lane through which device events become queue steps:

- caller keypad keys → the same queue actions as the counter window's buttons, with the
  same rules; a refused action beeps the keypad and sends its display again; after every
  change the keypad shows the waiting count and the current ticket ("---" while nobody is
  logged in at its counter), and the counter's LED display its number in its layout;
- dispenser panel buttons → `DispenserService.issue` (paper check, issue, print); a
  refusal beeps the panel;
- evaluators: a `rating_requested` queue event (from the window or the keypad, on any PC)
  lights the counter's evaluator with the clerk's job number; the first rating is
  recorded, a timeout is recorded as not rated;
- changes made elsewhere (windows, other PCs) arrive through the queue event log, polled
  every `watch_interval`; a device that comes back, or a port that is reopened, gets its
  display re-sent;
- devices and ports going away and coming back, and device faults, are logged once and
  raised / resolved as alerts (`status.DeviceBoard`);
- while the central database is unreachable the devices keep running, the event log is
  probed with back-off (0.5 s doubling to 5 s) instead of in a loop, and the alerts wait
  (`health.AlertLane`); when it is back they are written and every display is re-sent.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial

from app.devices.bus import BusMaster, BusTiming
from app.devices.escpos import PaperStatus
from app.devices.events import (
    ButtonPressed,
    DeviceEvent,
    DeviceFault,
    DeviceOffline,
    DeviceOnline,
    InvalidFrame,
    KeyPressed,
    PaperStatusChanged,
    PortStateChanged,
    RatingGiven,
    RatingTimedOut,
)
from app.devices.frame68 import Key
from app.devices.led import LedDisplays, ModbusError
from app.devices.modbus import LedLayout
from app.devices.printer import EscPosPrinter
from app.devices.transport import ConnectionState
from app.services.clock import Clock
from app.services.devices.dispenser import DispenserPrinter, DispenserService
from app.services.devices.health import AlertLane
from app.services.devices.keypad import KeypadActions
from app.services.devices.setup import DeviceStatus, build_workers, evaluator_scale
from app.services.devices.status import DeviceBoard
from app.services.errors import DatabaseUnavailable, DomainError
from app.services.evaluation.service import EvaluationService
from app.services.queue.queries import QueueQueries
from app.settings import DeviceSettings, Settings

log = logging.getLogger(__name__)

CLOSED = "---"
"""What a keypad shows for the ticket while nobody is logged in at its counter."""


class DeviceHub:
    """Owns the port workers and the hub thread. Call `start()` and, on quit, `stop()`."""

    def __init__(
        self,
        settings: Settings,
        actions: KeypadActions,
        queries: QueueQueries,
        evaluations: EvaluationService,
        dispenser: DispenserService,
        clock: Clock,
        *,
        bus_timing: BusTiming | None = None,
        printer_status_timeout: float = 1.0,
        watch_interval: float = 0.2,
        port_alert_after: float = 10.0,
    ) -> None:
        self._settings = settings
        self._hall = settings.station.hall
        self._actions = actions
        self._queries = queries
        self._evaluations = evaluations
        self._dispenser = dispenser
        self._clock = clock
        self._watch_interval = watch_interval
        self._inbox: queue.Queue[tuple[str, DeviceEvent] | Callable[[], None]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sent_keypad: dict[tuple[str, int], tuple[int, str]] = {}
        self._sent_led: dict[tuple[str, int], str] = {}
        self._started_ratings: set[str] = set()
        self._last_event_id: int | None = None  # None: not read yet (database unreachable)
        self._alerts = AlertLane(evaluations, self._hall, clock, settings.station.name)
        workers = build_workers(settings, self._sink_for, bus_timing, printer_status_timeout)
        self._buses, self._printers, self._leds, status = workers
        self._board = DeviceBoard(status, self._alerts, clock, port_alert_after=port_alert_after)
        dispenser.set_printers(self._printer_for)

    # ------------------------------------------------------------------ building
    def _sink_for(self, bus: str) -> Callable[[DeviceEvent], None]:
        def sink(event: DeviceEvent) -> None:
            self._inbox.put((bus, event))

        return sink

    def _printer_for(self, dispenser: str) -> DispenserPrinter | None:
        found = self._printers.get(dispenser)
        if found is None:
            return None
        return DispenserPrinter(found[0], found[1].paper_mm)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("device hub already started")
        try:
            self._last_event_id = self._queries.last_event_id(self._hall)
        except DatabaseUnavailable as exc:
            self._alerts.unreachable(exc)
        except DomainError as exc:
            log.warning("device hub starts without the event log: %s", exc.message)
        self._board.start()
        for worker in self._workers():
            worker.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="device-hub", daemon=True)
        self._thread.start()
        self.refresh_all()

    def stop(self, timeout: float = 5.0) -> None:
        """Drain the inbox, stop the hub thread and every port owner, join them."""
        self._stop.set()
        self._inbox.put(lambda: None)  # wakes a hub waiting out a database back-off
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for worker in self._workers():
            worker.stop(timeout)
        self._alerts.close()

    def _workers(self) -> list[BusMaster | EscPosPrinter | LedDisplays]:
        return [
            *self._buses.values(),
            *(p for p, _ in self._printers.values()),
            *self._leds.values(),
        ]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------------ any thread
    def statuses(self) -> list[DeviceStatus]:
        return self._board.statuses()

    def subscribe(self, listener: Callable[[DeviceStatus], None]) -> None:
        """`listener` is called from the hub thread whenever a device's status changes."""
        self._board.subscribe(listener)

    def refresh_all(self) -> None:
        self._inbox.put(lambda: self._refresh_counters(None, force=True))

    def test_beep(self, bus: str, address: int) -> None:
        self._buses[bus].beep(address)

    def test_show(self, bus: str, address: int, digits: str = "888") -> None:
        self._buses[bus].show(address, int(digits), digits)

    def test_rating(self, bus: str, address: int) -> None:
        self._buses[bus].start_rating(address, "TEST")

    def test_led(self, bus: str, address: int, number: str = "8888") -> None:
        """Light every segment of a display (in its layout)."""
        dev = self._device(bus, address)
        self._show_led(bus, address, number, LedLayout(dev.layout) if dev else LedLayout.DIGITS)

    def test_print(self, dispenser: str) -> None:
        from app.devices.escpos import TicketPrint

        target = self._printer_for(dispenser)
        if target is None:
            raise DomainError("bad_input", f"no printer for dispenser {dispenser}")
        target.printer.print_ticket(
            TicketPrint("HallDesk 打印测试", "测试 Test", "T000", 0, 0, "", "TEST"), target.paper_mm
        )

    # ------------------------------------------------------------------ hub thread
    def _run(self) -> None:
        next_watch = 0.0
        while not self._stop.is_set():
            wake = min(next_watch, self._board.next_deadline())
            try:
                item = self._inbox.get(timeout=max(0.0, wake - time.monotonic()))
            except queue.Empty:
                item = None
            if callable(item):
                self._guarded(item)
            elif item is not None:
                self._guarded(partial(self._handle, *item))
            self._guarded(self._board.tick)
            if time.monotonic() >= next_watch:
                next_watch = time.monotonic() + self._watch_once()

    def _watch_once(self) -> float:
        """Read the event log; seconds until the next read, backing off while the database
        is unreachable (a failed read is retried at once no more)."""
        try:
            self._watch()
            back = self._alerts.reachable()
        except DatabaseUnavailable as exc:
            self._alerts.unreachable(exc)
            return self._alerts.retry_delay()
        except DomainError as exc:
            log.warning("device hub: %s", exc.message)
        except Exception:
            log.exception("device hub: unexpected error")
        else:
            if back:  # what the displays show may have changed meanwhile (other PCs)
                self._guarded(lambda: self._refresh_counters(None, force=True))
        return self._watch_interval

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except DatabaseUnavailable as exc:  # logged once per outage, not once per event
            self._alerts.unreachable(exc)
        except DomainError as exc:
            log.warning("device hub: %s", exc.message)
        except Exception:  # the lane must survive one bad event
            log.exception("device hub: unexpected error")

    def _handle(self, bus: str, event: DeviceEvent) -> None:
        if isinstance(event, KeyPressed):
            self._board.touch(bus, event.address)
            self._on_key(bus, event.address, event.key)
        elif isinstance(event, ButtonPressed):
            self._board.touch(bus, event.address)
            self._on_button(bus, event.address, event.button)
        elif isinstance(event, RatingGiven):
            self._board.touch(bus, event.address)
            self._on_rating(bus, event.address, int(event.rating), event.requested)
        elif isinstance(event, RatingTimedOut):
            self._on_rating_timeout(bus, event.address)
        elif isinstance(event, DeviceOnline):
            self._board.online(bus, event.address, event.fault)
            self._resend(bus, event.address)
        elif isinstance(event, DeviceOffline):
            self._board.offline(bus, event.address)
        elif isinstance(event, DeviceFault):
            self._board.fault(bus, event.address, event.fault)
        elif isinstance(event, PortStateChanged):
            self._board.port(bus, event.state, event.detail)
            if event.state is ConnectionState.OPEN:
                self._refresh_counters(None, force=True)
        elif isinstance(event, PaperStatusChanged):
            self._on_paper(bus, event.status)
        elif isinstance(event, InvalidFrame):
            log.info("bus %s address %s: invalid frame (%s)", bus, event.address, event.reason)

    def _device(self, bus: str, address: int) -> DeviceSettings | None:
        return next(
            (d for d in self._settings.devices if d.bus == bus and d.address == address), None
        )

    def _on_key(self, bus: str, address: int, key: Key) -> None:
        dev = self._device(bus, address)
        if dev is None or dev.kind != "caller":
            log.warning("key from unconfigured keypad %s/%s", bus, address)
            return
        scale = evaluator_scale(self._settings.devices, dev.counter)
        ok = self._actions.press(dev.counter, key, scale)
        if not ok:
            self._buses[bus].beep(address)
        # after a refusal the keypad's state is sent again: it shows why ("---": closed)
        self._refresh_counters({dev.counter}, force=not ok)

    def _on_button(self, bus: str, address: int, button: int) -> None:
        dev = self._device(bus, address)
        service = dev.buttons.get(str(button)) if dev else None
        if dev is None or service is None:
            log.warning("dispenser %s/%s: button %s has no service", bus, address, button)
            self._buses[bus].beep(address)
            return
        try:
            self._dispenser.issue(service, dispenser=dev.dispenser or None)
        except DomainError as exc:
            log.warning("dispenser %s/%s refused: %s", bus, address, exc.message)
            self._buses[bus].beep(address)

    def _evaluator(self, counter: int) -> DeviceSettings | None:
        return next(
            (d for d in self._settings.devices if d.kind == "evaluator" and d.counter == counter),
            None,
        )

    def _on_rating(self, bus: str, address: int, rating: int, requested: bool) -> None:
        dev = self._device(bus, address)
        if dev is None or not requested:
            log.info("rating %s from %s/%s without a request: not recorded", rating, bus, address)
            return
        pending = self._evaluations.pending(self._hall, dev.counter)
        if pending is None:
            log.info("rating at counter %s but no open request: not recorded", dev.counter)
            return
        self._evaluations.record_rating(pending.id, rating)

    def _on_rating_timeout(self, bus: str, address: int) -> None:
        dev = self._device(bus, address)
        if dev is None:
            return
        pending = self._evaluations.pending(self._hall, dev.counter)
        if pending is not None:
            self._evaluations.expire(pending.id)

    def _start_rating(self, counter: int) -> None:
        dev = self._evaluator(counter)
        if dev is None:
            return
        pending = self._evaluations.pending(self._hall, counter)
        if pending is None or str(pending.id) in self._started_ratings:
            return
        self._started_ratings.add(str(pending.id))
        job = pending.staff_job_number if pending.staff_job_number.isascii() else None
        self._buses[dev.bus].start_rating(dev.address, job or None)

    def _on_paper(self, bus: str, status: PaperStatus) -> None:
        self._board.paper(bus, f"paper {status.value}")
        if status is PaperStatus.NEAR_END:
            message = f"ticket printer on {bus}: paper near end"
            self._alerts.raise_alert("paper_low", bus, message, once=False)

    # ------------------------------------------------------------------ displays
    def _watch(self) -> None:
        if self._last_event_id is None:  # the start could not read it: from now on
            self._last_event_id = self._queries.last_event_id(self._hall)
            self._refresh_counters(None, force=True)
            return
        events = self._queries.events_after(self._hall, self._last_event_id)
        if not events:
            return
        self._last_event_id = events[-1].id
        dirty: set[int] = set()
        for e in events:
            if e.kind == "rating_requested" and e.counter_number is not None:
                self._start_rating(e.counter_number)
            if e.counter_number is not None:
                dirty.add(e.counter_number)
            if e.kind in ("issued", "transferred", "done", "no_show"):
                dirty.update(d.counter for d in self._settings.devices if d.counter)
        self._refresh_counters(dirty, force=False)

    def _refresh_counters(self, counters: set[int] | None, *, force: bool) -> None:
        for d in self._settings.devices:
            if d.kind not in ("caller", "led") or not d.counter:
                continue
            if counters is not None and d.counter not in counters:
                continue
            self._show(d, force)

    def _resend(self, bus: str, address: int) -> None:
        dev = self._device(bus, address)
        if dev is not None and dev.kind in ("caller", "led") and dev.counter:
            self._show(dev, force=True)

    def _show(self, d: DeviceSettings, force: bool) -> None:
        state = self._queries.counter_state(self._hall, d.counter)
        number = state.current.display_number if state.current else ""
        key = (d.bus, d.address)
        if d.kind == "caller":
            shown = (state.waiting_total, number if state.session_open else CLOSED)
            if force or self._sent_keypad.get(key) != shown:
                self._sent_keypad[key] = shown
                if state.session_open:
                    self._buses[d.bus].show(d.address, state.waiting_total, number[1:] or None)
                else:  # nobody logged in: keys are refused, the keypad says why
                    self._buses[d.bus].show_closed(d.address, state.waiting_total)
        elif force or self._sent_led.get(key) != number:
            self._sent_led[key] = number
            self._show_led(d.bus, d.address, number, LedLayout(d.layout))

    def _show_led(self, bus: str, address: int, number: str, layout: LedLayout) -> None:
        def failed(future: Future[int]) -> None:  # on the LED port's thread
            exc = future.exception()
            if isinstance(exc, ModbusError):  # silent, or refused (e.g. the wrong layout)
                log.warning("LED %s/%s (%s) did not show %r: %s", bus, address, layout, number, exc)
            elif exc is not None:  # port lost or stopped: the port's state says it already
                log.debug("LED %s/%s did not show %r: %s", bus, address, number, exc)

        self._leds[bus].show_number(address, number, layout).add_done_callback(failed)
