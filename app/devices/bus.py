"""Bus master of the hall bus (68 frame): keypads, evaluators, dispenser panels.

One :class:`BusMaster` per port.  Its thread owns the port: it answers every device frame
at once (echo CC 10 / CC 12, CC 01 [rating] to CC 11), acts on a frame once (the same bytes
from the same address within ``duplicate_window`` of a frame it acted on are a
retransmission: acknowledged, not reported again), polls each configured device every
``poll_interval`` — in a quiet moment of the bus if one comes within ``poll_patience``,
else between two frames, so steady traffic (a busy keypad, displays refreshed) never
starves the polls — marks a device offline after ``missed_polls`` unanswered polls and
online when it is heard again, and reports everything as events (:mod:`app.devices.events`).

Every public method may be called from any thread and returns at once.

The bus remembers the last keypad display (CC 02) and job number (CC 04) sent to each
device and sends them again when the device comes back online or the port reopens, so a
display is right after a power cut or an unplugged adapter even if the upper layer does
nothing with :class:`~app.devices.events.PortStateChanged`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from app.devices import frame68
from app.devices.events import (
    ButtonPressed,
    DeviceFault,
    DeviceOffline,
    DeviceOnline,
    InvalidFrame,
    KeyPressed,
    RatingGiven,
    RatingTimedOut,
)
from app.devices.frame68 import Command, Frame
from app.devices.transport import Backoff
from app.devices.worker import EventSink, PortWorker

log = logging.getLogger(__name__)


class DeviceKind(Enum):
    CALLER_KEYPAD = "keypad"
    EVALUATOR = "evaluator"
    DISPENSER = "dispenser"


@dataclass(frozen=True, slots=True)
class BusDevice:
    """A configured device on the bus; ``rating_keys`` is 4 or 5 for evaluators."""

    address: int
    kind: DeviceKind
    rating_keys: int = 4

    def __post_init__(self) -> None:
        if not 0x01 <= self.address <= 0xFE:
            raise ValueError(f"bus address {self.address} out of range 01..FE")
        if self.rating_keys not in (4, 5):
            raise ValueError("evaluators have 4 or 5 keys")


@dataclass(frozen=True, slots=True)
class BusTiming:
    """Timing of the bus master; the defaults are PROTOCOL.md's, tests shorten them."""

    poll_interval: float = 5.0
    poll_timeout: float = 0.3
    missed_polls: int = 3
    idle_gap: float = 0.05
    poll_patience: float = 0.5
    """How long a due poll waits for ``idle_gap`` of silence before it goes between frames."""
    duplicate_window: float = 1.0
    rating_timeout: float = 10.0
    stale_rx: float = 0.1
    read_timeout: float = 0.01
    backoff_initial: float = 0.5
    backoff_max: float = 10.0


@dataclass(slots=True)
class _Device:
    config: BusDevice
    online: bool | None = None
    fault: bool | None = None
    missed: int = 0
    next_poll: float = 0.0
    display: Frame | None = None
    job_number: Frame | None = None
    rating_deadline: float | None = None


@dataclass(frozen=True, slots=True)
class _Outgoing:
    frame: Frame
    rating_timeout: float | None = None


@dataclass(slots=True)
class BusStats:
    """Counters of the owner thread (read them for monitoring; written by that thread)."""

    frames_in: int = 0
    frames_out: int = 0
    retransmissions: int = 0
    invalid: int = 0
    dropped: int = 0
    noise_bytes: int = 0
    acks: int = 0
    ack_seconds_total: float = 0.0
    """From the read that completed a frame to its acknowledgement written."""
    ack_seconds_max: float = 0.0


class BusMaster(PortWorker):
    """Owner of one hall bus port."""

    def __init__(
        self,
        url: str,
        devices: Iterable[BusDevice],
        *,
        on_event: EventSink | None = None,
        timing: BusTiming | None = None,
        baudrate: int = 9600,
    ) -> None:
        self.timing = timing or BusTiming()
        super().__init__(
            url,
            baudrate=baudrate,
            on_event=on_event,
            read_timeout=self.timing.read_timeout,
            backoff=Backoff(self.timing.backoff_initial, self.timing.backoff_max),
            name="bus",
        )
        self._devices: dict[int, _Device] = {}
        for config in devices:
            if config.address in self._devices:
                raise ValueError(f"address {config.address} configured twice")
            self._devices[config.address] = _Device(config)
        self._rx = bytearray()
        self._last_rx = 0.0
        self._acted: dict[Frame, float] = {}
        self._pruned = 0.0
        self._poll: tuple[int, float] | None = None
        self._online: dict[int, bool | None] = {a: None for a in self._devices}
        self.stats = BusStats()

    # --- any thread ---------------------------------------------------------------

    def send(self, address: int, command: int, data: bytes = b"") -> None:
        """Queue a host -> device frame (dropped with a log line if the device is offline)."""
        self._submit(_Outgoing(Frame(address, command, data)))

    def send_frame(self, frame: Frame) -> None:
        self._submit(_Outgoing(frame))

    def show(self, address: int, waiting: int | None, ticket: str | int | None) -> None:
        """Keypad display: waiting count and the current ticket's last three digits."""
        self.send_frame(frame68.keypad_display(address, waiting, ticket))

    def show_closed(self, address: int, waiting: int | None) -> None:
        """Keypad display: the counter is closed (nobody logged in), ``---`` for the ticket."""
        self.send_frame(frame68.keypad_closed(address, waiting))

    def beep(self, address: int) -> None:
        self.send_frame(frame68.beep(address))

    def show_job_number(self, address: int, job_number: str) -> None:
        self.send_frame(frame68.show_job_number(address, job_number))

    def start_rating(
        self, address: int, job_number: str | None = None, timeout: float | None = None
    ) -> None:
        """Ask the customer to rate; without a rating in ``timeout`` (default
        ``timing.rating_timeout``) the bus sends CC 05 and reports RatingTimedOut."""
        if job_number is not None:
            self.show_job_number(address, job_number)
        limit = self.timing.rating_timeout if timeout is None else timeout
        self._submit(_Outgoing(frame68.start_rating(address), limit))

    def cancel_rating(self, address: int) -> None:
        self.send_frame(frame68.cancel_rating(address))

    def device_online(self, address: int) -> bool | None:
        """Last known state: True online, False offline, None not heard yet."""
        return self._online.get(address)

    # --- owner thread: commands ---------------------------------------------------

    def _write_frame(self, frame: Frame) -> None:
        self._write(frame68.encode(frame))
        self.stats.frames_out += 1

    def _remember(self, frame: Frame) -> _Device | None:
        device = self._devices.get(frame.address)
        if device is not None:
            if frame.command == Command.DISPLAY:
                device.display = frame
            elif frame.command == Command.JOB_NUMBER:
                device.job_number = frame
        return device

    def _on_command(self, command: object, now: float) -> None:
        if not isinstance(command, _Outgoing):
            raise TypeError(f"unexpected command {command!r}")
        frame = command.frame
        device = self._remember(frame)
        if device is not None:
            if command.rating_timeout is not None:
                # even if dropped below: the request then ends as RatingTimedOut
                device.rating_deadline = now + command.rating_timeout
            elif frame.command == Command.CANCEL_RATING:
                device.rating_deadline = None
            if device.online is False:
                self.stats.dropped += 1
                log.info("device %02X is offline, dropping %s", frame.address, frame)
                return
        self._write_frame(frame)

    def _on_reject(self, command: object, reason: str) -> None:
        if isinstance(command, _Outgoing):
            self._remember(command.frame)
            self.stats.dropped += 1
            log.info("dropping %s: %s", command.frame, reason)
            if command.rating_timeout is not None:  # the rating cannot even be asked for
                self._emit(RatingTimedOut(command.frame.address))

    # --- owner thread: port -------------------------------------------------------

    def _on_open(self, now: float) -> None:
        self._rx.clear()
        self._poll = None
        for device in self._devices.values():
            device.next_poll = now
            if device.online is not False:
                self._resend_state(device)

    def _on_lost(self) -> None:
        self._rx.clear()
        self._poll = None

    def _resend_state(self, device: _Device) -> None:
        for frame in (device.display, device.job_number):
            if frame is not None:
                self._write_frame(frame)

    def _on_bytes(self, data: bytes, now: float) -> None:
        self._rx += data
        self._last_rx = now
        self._decode(now)

    def _decode(self, now: float) -> None:
        frames, used = frame68.decode(self._rx)
        noise = used - sum(len(frame68.encode(f, preamble=False)) for f in frames)
        self.stats.noise_bytes += max(noise, 0)
        del self._rx[:used]
        for frame in frames:
            self._on_frame(frame, now)

    def _on_tick(self, now: float) -> None:
        timing = self.timing
        if self._rx and now - self._last_rx > timing.stale_rx:
            # a partial "frame" that never completed: resynchronise past its first byte
            while self._rx:
                del self._rx[0]
                self.stats.noise_bytes += 1
                self._decode(now)
        if self._acted and now - self._pruned > timing.duplicate_window:
            horizon = now - timing.duplicate_window
            self._acted = {f: t for f, t in self._acted.items() if t > horizon}
            self._pruned = now
        if self._poll is not None and now >= self._poll[1]:
            self._poll_missed(self._poll[0], now)
        for device in self._devices.values():
            if device.rating_deadline is not None and now >= device.rating_deadline:
                device.rating_deadline = None
                if device.online is not False:
                    self._write_frame(frame68.cancel_rating(device.config.address))
                self._emit(RatingTimedOut(device.config.address))
        if self._poll is None and not self._rx:  # never into a frame being received
            due = [d for d in self._devices.values() if d.next_poll <= now]
            first = min(due, key=lambda d: d.next_poll) if due else None
            quiet = now - self._last_rx >= timing.idle_gap and self._commands.empty()
            if first is not None and (quiet or now - first.next_poll >= timing.poll_patience):
                self._write_frame(frame68.poll(first.config.address))
                self._poll = (first.config.address, now + timing.poll_timeout)
                first.next_poll = now + timing.poll_interval

    def _poll_missed(self, address: int, now: float) -> None:
        self._poll = None
        device = self._devices[address]
        device.missed += 1
        log.debug("device %02X missed poll %d", address, device.missed)
        if device.missed >= self.timing.missed_polls and device.online is not False:
            device.online = False
            self._publish_online()
            log.warning("device %02X offline after %d missed polls", address, device.missed)
            self._emit(DeviceOffline(address))

    def _publish_online(self) -> None:
        self._online = {a: d.online for a, d in self._devices.items()}

    def _heard(self, device: _Device, now: float, fault: bool | None) -> None:
        address = device.config.address
        device.missed = 0
        device.next_poll = now + self.timing.poll_interval
        if self._poll is not None and self._poll[0] == address:
            self._poll = None
        if device.online is not True:
            returning = device.online is False
            device.online = True
            device.fault = fault if fault is not None else device.fault
            self._publish_online()
            self._emit(DeviceOnline(address, bool(device.fault)))
            if returning:
                self._resend_state(device)
        elif fault is not None:  # reported when the bit changes, never once per poll
            changed = fault != bool(device.fault)
            device.fault = fault
            if changed:
                self._emit(DeviceFault(address, fault))

    def _invalid(self, address: int, reason: str) -> None:
        self.stats.invalid += 1
        log.warning("invalid frame from %02X: %s", address, reason)
        self._emit(InvalidFrame(address, reason))

    def _on_frame(self, frame: Frame, now: float) -> None:
        self.stats.frames_in += 1
        if frame.command in frame68.HOST_COMMANDS:
            log.debug("ignoring host command on the bus: %s", frame)
            return
        answer = frame68.acknowledgement(frame)
        if answer is not None:
            self._write_frame(answer)
            elapsed = time.monotonic() - now
            self.stats.acks += 1
            self.stats.ack_seconds_total += elapsed
            self.stats.ack_seconds_max = max(self.stats.ack_seconds_max, elapsed)
        address = frame.address
        device = self._devices.get(address)
        if device is None:
            self._invalid(address, f"unconfigured address, {frame}")
            return
        status = frame68.parse_status(frame.data) if frame.command == Command.STATUS else None
        self._heard(device, now, None if status is None else status.fault)
        if frame.command == Command.STATUS:
            if status is None:
                self._invalid(address, f"bad status data {frame.data.hex(' ')}")
            return
        acted = self._acted.get(frame)
        if acted is not None and now - acted < self.timing.duplicate_window:
            self.stats.retransmissions += 1
            log.info("retransmission from %02X acknowledged, not acted on: %s", address, frame)
            return
        self._acted[frame] = now
        self._dispatch(device, frame)

    def _dispatch(self, device: _Device, frame: Frame) -> None:
        address = frame.address
        if frame.command == Command.KEY:
            key = frame68.parse_key(frame.data)
            if key is None:
                self._invalid(address, f"unknown key {frame.data.hex(' ')}")
            else:
                self._emit(KeyPressed(address, key))
        elif frame.command == Command.RATING:
            rating = frame68.parse_rating(frame.data, device.config.rating_keys)
            if rating is None:
                keys = device.config.rating_keys
                self._invalid(address, f"invalid rating {frame.data.hex(' ')} ({keys} keys)")
            else:
                requested = device.rating_deadline is not None
                device.rating_deadline = None
                self._emit(RatingGiven(address, rating, requested))
        elif frame.command == Command.BUTTON:
            button = frame68.parse_button(frame.data)
            if button is None:
                self._invalid(address, f"invalid button {frame.data.hex(' ')}")
            else:
                self._emit(ButtonPressed(address, button))
        else:
            self._invalid(address, f"unknown command {frame.command:02X}")
