"""Simulated hall bus devices: caller keypads, evaluators, dispenser panels.

Each device sends one frame at a time and sends it again when no answer comes in
``retry_interval`` (300 ms), at most ``max_retries`` (3) times, like field devices; it
answers a poll with CC 1F.  :class:`HallBusHandler` plays all devices of one bus and the
faults asked for: noise before a frame, a bad checksum on a first transmission, lost
acknowledgements, slow poll answers.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from dataclasses import dataclass, field

from app.devices import frame68
from app.devices.frame68 import Command, Frame
from app.devices.simulator.ports import Faults, PortHandler

log = logging.getLogger(__name__)


@dataclass(eq=False)
class SimBusDevice:
    address: int
    kind: str = "device"
    muted: bool = False
    fault: bool = False
    received: list[Frame] = field(default_factory=list)
    sent: list[Frame] = field(default_factory=list)
    delivered: int = 0
    gave_up: int = 0
    queue: deque[Frame] = field(default_factory=deque)
    current: Frame | None = None
    attempts: int = 0
    token: int = 0
    started: float = 0.0
    round_trips: list[float] = field(default_factory=list)
    """Seconds from starting to send a frame to its acknowledgement fully received."""

    def on_host_frame(self, frame: Frame) -> None:
        """A host command for this device (not a poll, not an acknowledgement)."""


@dataclass(eq=False)
class SimKeypad(SimBusDevice):
    kind: str = "keypad"
    display: bytes | None = None
    beeps: int = 0

    def on_host_frame(self, frame: Frame) -> None:
        if frame.command == Command.DISPLAY:
            self.display = frame.data
            log.info("keypad %02X shows %s", self.address, display_text(frame.data))
        elif frame.command == Command.BEEP:
            self.beeps += 1


@dataclass(eq=False)
class SimEvaluator(SimBusDevice):
    kind: str = "evaluator"
    keys: int = 4
    rating_requested: bool = False
    job_number: str = ""
    cancelled: int = 0

    def on_host_frame(self, frame: Frame) -> None:
        if frame.command == Command.EVALUATOR and frame.data == bytes((frame68.START_RATING_CODE,)):
            self.rating_requested = True
            log.info("evaluator %02X asks the customer to rate", self.address)
        elif frame.command == Command.JOB_NUMBER:
            self.job_number = frame.data.decode("ascii", errors="replace")
        elif frame.command == Command.CANCEL_RATING:
            self.rating_requested = False
            self.cancelled += 1


@dataclass(eq=False)
class SimDispenser(SimBusDevice):
    kind: str = "dispenser"


def display_text(digits: bytes) -> str:
    """Keypad display as text: ``'  7|012'``, ``'  7|---'`` (closed); blanks as spaces."""
    chars = [digit_char(d) for d in digits]
    return "".join(chars[:3]) + "|" + "".join(chars[3:])


def digit_char(digit: int) -> str:
    """What a keypad shows for one digit byte: 0-9, "-" (0B) or a blank (0A, others)."""
    if digit <= 9:
        return "0123456789"[digit]
    return "-" if digit == frame68.DASH_DIGIT else " "


class HallBusHandler(PortHandler):
    def __init__(
        self,
        *,
        retry_interval: float = 0.3,
        max_retries: int = 3,
        rng: random.Random | None = None,
    ) -> None:
        self.devices: dict[int, SimBusDevice] = {}
        self.faults = Faults()
        self.retry_interval = retry_interval
        self.max_retries = max_retries
        self.rng = rng or random.Random()
        self.lost_acks = 0
        self.noise_sent = 0
        self._rx = bytearray()

    def add(self, device: SimBusDevice) -> None:
        if device.address in self.devices:
            raise ValueError(f"address {device.address} already used")
        self.devices[device.address] = device

    def on_plug(self) -> None:
        self._rx.clear()

    # --- device -> host -----------------------------------------------------------

    def transmit(self, device: SimBusDevice, frame: Frame) -> None:
        """The device wants to send ``frame`` (after what it is sending already)."""
        device.queue.append(frame)
        self._next(device)

    def _next(self, device: SimBusDevice) -> None:
        if device.current is not None or not device.queue:
            return
        device.current = device.queue.popleft()
        device.attempts = 0
        device.started = time.monotonic()
        self._send_current(device)

    def _send_current(self, device: SimBusDevice) -> None:
        frame = device.current
        if frame is None:
            return
        device.attempts += 1
        device.token += 1
        device.sent.append(frame)
        data = frame68.encode(frame)
        if self.faults.bad_checksum > 0 and device.attempts == 1:
            self.faults.bad_checksum -= 1
            corrupt = bytearray(data)
            corrupt[-2] = (corrupt[-2] + 1) & 0xFF
            data = bytes(corrupt)
            log.info("device %02X: bad checksum on %s", device.address, frame)
        if self.faults.noise > 0:
            self.faults.noise -= 1
            data = self.noise() + data
        self.port.write(data)
        token = device.token
        self.port.schedule(self.retry_interval, lambda: self._retry(device, token))

    def noise(self) -> bytes:
        """Random bytes, sometimes with a fake frame start the host must see through."""
        rng = self.rng
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(3, 20)))
        if rng.random() < 0.5:
            length = rng.randint(2, frame68.MAX_LENGTH)
            junk += bytes((frame68.START, length, length, frame68.START))
        self.noise_sent += len(junk)
        return junk

    def _retry(self, device: SimBusDevice, token: int) -> None:
        if device.current is None or device.token != token:
            return
        if device.attempts <= self.max_retries:
            log.info("device %02X: no answer, sending again", device.address)
            self._send_current(device)
            return
        log.warning("device %02X: gave up on %s", device.address, device.current)
        device.gave_up += 1
        device.current = None
        self._next(device)

    # --- host -> device -----------------------------------------------------------

    def on_bytes(self, data: bytes, now: float) -> None:
        self._rx += data
        frames, used = frame68.decode(self._rx)
        del self._rx[:used]
        for frame in frames:
            self._on_frame(frame)

    def _on_frame(self, frame: Frame) -> None:
        device = self.devices.get(frame.address)
        if device is None or device.muted:
            return
        current = device.current
        if current is not None and frame68.is_acknowledgement(current, frame):
            if self.faults.no_ack > 0:
                self.faults.no_ack -= 1
                self.lost_acks += 1
                log.info("device %02X: acknowledgement lost", device.address)
                return
            device.received.append(frame)
            device.delivered += 1
            device.round_trips.append(time.monotonic() - device.started)
            device.current = None
            if isinstance(device, SimEvaluator) and frame.command == Command.EVALUATOR:
                device.rating_requested = False
            self._next(device)
            return
        device.received.append(frame)
        if frame.command == Command.POLL:
            answer = frame68.status_answer(device.address, device.fault)
            if self.faults.slow > 0:
                self.port.schedule(self.faults.slow, lambda: self._answer(device, answer))
            else:
                self._answer(device, answer)
            return
        device.on_host_frame(frame)

    def _answer(self, device: SimBusDevice, answer: Frame) -> None:
        if not device.muted:
            device.sent.append(answer)
            self.port.write(frame68.encode(answer))
