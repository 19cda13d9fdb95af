"""BusMaster against the simulated keypads, evaluators and dispenser over real ptys."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace

import pytest

from app.devices import frame68
from app.devices.bus import BusMaster, BusTiming
from app.devices.events import (
    ButtonPressed,
    DeviceFault,
    DeviceOffline,
    DeviceOnline,
    InvalidFrame,
    KeyPressed,
    PortStateChanged,
    RatingGiven,
    RatingTimedOut,
)
from app.devices.frame68 import Command, Frame, Key, Rating
from app.devices.simulator import Fault, Simulator
from app.devices.transport import ConnectionState
from tests.devices.pty_helpers import FAST, HALL_DEVICES, EventLog, wait_until


def quiet(seconds: float = 0.4) -> None:
    """Let retransmissions (300 ms) run out before checking nothing more arrived."""
    time.sleep(seconds)


def test_every_keypad_key_is_reported_once_and_echoed(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    for key in Key:
        sim.press_key(3, key)
        events.wait_for(KeyPressed, lambda e: e.key is key)  # noqa: B023 (called at once)
    wait_until(lambda: sim.idle(3))
    quiet()
    assert [e.key for e in events.of(KeyPressed)] == list(Key)
    assert all(e.address == 3 for e in events.of(KeyPressed))
    sent = sim.frames_sent(3, Command.KEY)
    assert sent == [frame68.key_pressed(3, k) for k in Key]  # no retransmission needed
    assert sim.frames_received(3, Command.KEY) == sent  # each echoed unchanged
    assert sim.device(3).gave_up == 0


def test_ratings_on_4_and_5_key_evaluators(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    for rating in (0, 1, 2, 3, 4, 7):
        sim.rate(5, rating)
    for rating in (4, 5, 0x0A):
        sim.rate(6, rating)
    wait_until(lambda: sim.idle(5) and sim.idle(6))
    wait_until(lambda: len(events.of(InvalidFrame)) == 4)
    quiet()
    given = sorted((e.address, e.rating) for e in events.of(RatingGiven))
    assert given == [
        (5, Rating.VERY_SATISFIED),
        (5, Rating.SATISFIED),
        (5, Rating.FAIR),
        (5, Rating.DISSATISFIED),
        (6, Rating.VERY_DISSATISFIED),
    ]
    invalid = [(e.address, e.reason) for e in events.of(InvalidFrame)]
    assert sorted(invalid) == [
        (5, "invalid rating 04 (4 keys)"),
        (5, "invalid rating 07 (4 keys)"),
        (6, "invalid rating 05 (5 keys)"),
        (6, "invalid rating 0a (5 keys)"),
    ]
    # every rating, valid or not, was acknowledged with CC 01 [rating] and not resent
    acks = sim.frames_received(5, Command.EVALUATOR)
    assert acks == [frame68.ack_rating(5, r) for r in (0, 1, 2, 3, 4, 7)]
    assert sim.frames_received(6, Command.EVALUATOR) == [
        frame68.ack_rating(6, r) for r in (4, 5, 0x0A)
    ]
    assert len(sim.frames_sent(5, Command.RATING)) == 6


def test_rating_request_first_rating_counts_and_time_out(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    bus.start_rating(5, job_number="1024", timeout=0.6)
    evaluator = sim.device(5)
    wait_until(lambda: getattr(evaluator, "rating_requested", False))
    assert getattr(evaluator, "job_number", "") == "1024"
    sim.rate(5, 1)
    _, first = events.wait_for(RatingGiven)
    assert first == RatingGiven(5, Rating.SATISFIED, requested=True)
    sim.rate(5, 3)  # a second press: reported, but not as the requested rating
    _, second = events.wait_for(RatingGiven, lambda e: e.rating is Rating.DISSATISFIED)
    assert not second.requested
    quiet(0.5)
    assert events.of(RatingTimedOut) == []  # answered in time: no cancel

    started = time.monotonic()
    bus.start_rating(5, timeout=0.3)
    stamp, timed_out = events.wait_for(RatingTimedOut)
    assert timed_out == RatingTimedOut(5)
    assert stamp - started >= 0.3
    wait_until(lambda: sim.frames_received(5, Command.CANCEL_RATING))
    assert getattr(evaluator, "rating_requested", True) is False
    assert getattr(evaluator, "cancelled", 0) == 1


def test_dispenser_buttons(sim: Simulator, bus: BusMaster, events: EventLog) -> None:
    for button in range(0, 18):
        sim.press_button(9, button)
    wait_until(lambda: sim.idle(9), timeout=5)
    wait_until(lambda: len(events.of(InvalidFrame)) == 2)
    assert [e.button for e in events.of(ButtonPressed)] == list(range(1, 17))
    assert [e.reason for e in events.of(InvalidFrame)] == [
        "invalid button 00",
        "invalid button 11",
    ]
    assert len(sim.frames_received(9, Command.BUTTON)) == 18  # all echoed


def test_unknown_key_is_acked_and_reported_invalid(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    sim.press_key(3, bytes((0x09, 0x0F)))
    _, invalid = events.wait_for(InvalidFrame)
    assert invalid == InvalidFrame(3, "unknown key 09 0f")
    wait_until(lambda: sim.idle(3))
    assert sim.frames_received(3, Command.KEY) == [Frame(3, Command.KEY, b"\x09\x0f")]
    assert events.of(KeyPressed) == []


def test_display_beep_and_offline_device(
    sim: Simulator, bus: BusMaster, events: EventLog, caplog: pytest.LogCaptureFixture
) -> None:
    bus.show(3, 12, "A007")
    bus.beep(3)
    wait_until(lambda: sim.keypad_display(3) == bytes((0x0A, 1, 2, 0, 0, 7)))
    wait_until(lambda: getattr(sim.device(3), "beeps", 0) == 1)

    muted_at = time.monotonic()
    sim.set_muted(3)
    stamp, _ = events.wait_for(DeviceOffline, lambda e: e.address == 3, timeout=3)
    # three polls, 0.25 s apart, each unanswered for 0.1 s
    assert stamp - muted_at >= 2 * FAST.poll_interval + FAST.poll_timeout
    assert bus.device_online(3) is False
    assert [e.address for e in events.of(DeviceOffline)] == [3]  # the others answer

    with caplog.at_level(logging.INFO, logger="app.devices.bus"):
        bus.show(3, 13, "A008")
        wait_until(lambda: "offline, dropping" in caplog.text)
    assert sim.keypad_display(3) == bytes((0x0A, 1, 2, 0, 0, 7))

    back_at = time.monotonic()
    sim.set_muted(3, False)
    events.wait_for(DeviceOnline, lambda e: e.address == 3, after=back_at)
    # the display dropped while offline is sent again when the keypad returns
    wait_until(lambda: sim.keypad_display(3) == bytes((0x0A, 1, 3, 0, 0, 8)))
    assert bus.device_online(3) is True


def test_rating_request_to_an_offline_evaluator_times_out(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    sim.set_muted(6)
    events.wait_for(DeviceOffline, lambda e: e.address == 6)
    asked = time.monotonic()
    bus.start_rating(6, timeout=0.2)  # dropped: the evaluator is off
    stamp, timed_out = events.wait_for(RatingTimedOut)
    assert timed_out == RatingTimedOut(6)
    assert stamp - asked >= 0.2
    sim.set_muted(6, False)
    events.wait_for(DeviceOnline, lambda e: e.address == 6, after=stamp)
    assert sim.frames_received(6, Command.EVALUATOR) == []  # nothing was sent meanwhile
    assert sim.frames_received(6, Command.CANCEL_RATING) == []


def test_fault_bit_in_poll_answers(sim: Simulator, bus: BusMaster, events: EventLog) -> None:
    sim.set_device_fault(9)
    _, fault = events.wait_for(DeviceFault)
    assert fault == DeviceFault(9, True)
    sim.set_device_fault(9, False)
    events.wait_for(DeviceFault, lambda e: not e.fault)


def test_retransmission_is_acked_but_acted_on_once(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    sim.set_fault(Fault.NO_ACK, 2)  # the first two echoes are lost on the way back
    sim.press_key(3, Key.CALL_NEXT)
    wait_until(lambda: sim.idle(3), timeout=3)
    quiet()
    assert sim.frames_sent(3, Command.KEY) == [frame68.key_pressed(3, Key.CALL_NEXT)] * 3
    assert events.of(KeyPressed) == [KeyPressed(3, Key.CALL_NEXT)]
    assert bus.stats.retransmissions == 2
    assert sim.device(3).gave_up == 0


def test_device_gives_up_after_three_retries(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    sim.set_fault(Fault.NO_ACK, 10)
    sim.press_button(9, 2)
    wait_until(lambda: sim.idle(9), timeout=3)
    sim.set_fault(Fault.NONE)
    assert len(sim.frames_sent(9, Command.BUTTON)) == 4  # the frame and 3 retries
    assert sim.device(9).gave_up == 1
    assert events.of(ButtonPressed) == [ButtonPressed(9, 2)]


def test_same_key_after_the_window_counts_again(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    sim.press_key(3, Key.RECALL)
    events.wait_for(KeyPressed)
    time.sleep(FAST.duplicate_window + 0.1)
    sim.press_key(3, Key.RECALL)
    wait_until(lambda: len(events.of(KeyPressed)) == 2)


def test_noise_and_bad_checksums_are_resynchronised(
    sim: Simulator, bus: BusMaster, events: EventLog
) -> None:
    sim.set_fault(Fault.NOISE, 6)
    keys = [Key.CALL_NEXT, Key.RECALL, Key.FINISH, Key.PAUSE, Key.TRANSFER, Key.HOLD]
    for key in keys:
        sim.press_key(3, key)
    wait_until(lambda: len(events.of(KeyPressed)) == len(keys), timeout=5)
    assert [e.key for e in events.of(KeyPressed)] == keys
    assert bus.stats.noise_bytes >= 6 * 3

    sim.set_fault(Fault.BAD_CHECKSUM, 1)
    sim.rate(5, 2)
    _, rating = events.wait_for(RatingGiven)
    assert rating.rating is Rating.FAIR
    wait_until(lambda: sim.idle(5))
    quiet()
    assert sim.frames_sent(5, Command.RATING) == [frame68.rating_given(5, 2)] * 2
    assert len(events.of(RatingGiven)) == 1

    # a fake frame start claiming 40 bytes, then a real frame: found after a short silence
    sim.send_raw(bytes.fromhex("68 22 22 68 05"))
    sim.press_button(9, 7)
    stamp, _ = events.wait_for(ButtonPressed, lambda e: e.button == 7)
    assert sim.frames_sent(9, Command.BUTTON) == [frame68.button_pressed(9, 7)]


def test_slow_answers_keep_devices_online(sim: Simulator, bus: BusMaster, events: EventLog) -> None:
    sim.set_fault(Fault.SLOW, 0.05)  # within the poll time-out
    time.sleep(4 * FAST.poll_interval)
    sim.set_fault(Fault.SLOW, 0.2)  # after the time-out: late, but the device is alive
    time.sleep(4 * FAST.poll_interval)
    sim.press_key(3, Key.FINISH)
    events.wait_for(KeyPressed)
    sim.set_fault(Fault.NONE)
    assert events.of(DeviceOffline) == []
    assert all(bus.device_online(d.address) for d in HALL_DEVICES)


def test_frames_from_unconfigured_addresses(sim: Simulator, events: EventLog) -> None:
    only_keypad = [d for d in HALL_DEVICES if d.address == 3]
    master = BusMaster(sim.hall_url, only_keypad, on_event=events, timing=FAST)
    master.start()
    try:
        events.wait_for(DeviceOnline)  # the port is open
        sim.press_button(9, 1)
        _, invalid = events.wait_for(InvalidFrame)
        assert invalid.address == 9 and "unconfigured" in invalid.reason
        wait_until(lambda: sim.idle(9))
        assert sim.frames_sent(9, Command.BUTTON) == [frame68.button_pressed(9, 1)]  # acked
        assert events.of(ButtonPressed) == []
    finally:
        master.stop()


def test_unplug_and_replug(sim: Simulator, bus: BusMaster, events: EventLog) -> None:
    bus.show(3, 4, "A021")
    wait_until(lambda: sim.keypad_display(3) == bytes((0x0A, 0x0A, 4, 0, 2, 1)))
    sim.unplug(1.0, "hall")
    _, failed = events.wait_for(
        PortStateChanged, lambda e: e.state is ConnectionState.FAILED, timeout=2
    )
    assert failed.port == sim.hall_url
    keypad = sim.device(3)
    with sim.ports["hall"].lock:
        keypad.display = None  # type: ignore[attr-defined]  # the keypad lost power too
    bus.show(3, 5, "A022")  # while the port is away: remembered, sent on return
    assert sim.wait_plugged(timeout=3)
    returned = time.monotonic()
    sim.press_key(3, Key.CALL_NEXT)
    stamp, _ = events.wait_for(KeyPressed, timeout=3)
    assert stamp - returned < 2.0
    events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.OPEN, after=returned)
    wait_until(lambda: sim.keypad_display(3) == bytes((0x0A, 0x0A, 5, 0, 2, 2)))
    states = [e.state for e in events.of(PortStateChanged)]
    # lost, then "cannot open" while the adapter is away: FAILED twice, with each reason
    assert states == [
        ConnectionState.OPENING,
        ConnectionState.OPEN,
        ConnectionState.FAILED,
        ConnectionState.FAILED,
        ConnectionState.OPEN,
    ]


def test_tcp_port(events: EventLog) -> None:
    simulator = Simulator(tcp_port=0)
    simulator.add_keypad(3)
    simulator.start()
    try:
        assert simulator.hall_url.startswith("socket://127.0.0.1:")
        master = BusMaster(simulator.hall_url, HALL_DEVICES[:1], on_event=events, timing=FAST)
        master.start()
        try:
            events.wait_for(DeviceOnline)
            simulator.press_key(3, Key.HOLD)
            events.wait_for(KeyPressed, lambda e: e.key is Key.HOLD)
            simulator.unplug(0.5)
            failed_at, _ = events.wait_for(
                PortStateChanged, lambda e: e.state is ConnectionState.FAILED
            )
            events.wait_for(
                PortStateChanged, lambda e: e.state is ConnectionState.OPEN, after=failed_at
            )
            simulator.press_key(3, Key.CALL_BACK)
            events.wait_for(KeyPressed, lambda e: e.key is Key.CALL_BACK)
        finally:
            master.stop()
    finally:
        simulator.stop()


def test_stop_closes_the_port_and_ends_the_thread(sim: Simulator, events: EventLog) -> None:
    master = BusMaster(sim.hall_url, HALL_DEVICES, on_event=events, timing=FAST)
    master.start()
    events.wait_for(DeviceOnline)
    master.stop()
    assert not master.running
    assert events.events[-1] == PortStateChanged(sim.hall_url, ConnectionState.CLOSED)
    master.stop()  # twice is harmless
    master.start()  # and it can start again
    events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.OPEN, after=0)
    master.stop()


def test_a_silent_device_goes_offline_under_steady_traffic(
    sim: Simulator, events: EventLog
) -> None:
    """Keypad 3 sends a key every 10 ms, so the bus is never quiet for ``idle_gap``;
    evaluator 5 is switched off. PROTOCOL.md: offline within 20 s at the default 5 s poll
    interval whatever the load, i.e. within four poll intervals."""
    timing = replace(FAST, poll_interval=1.0, poll_patience=0.1, idle_gap=0.05)
    bound = 20.0 * timing.poll_interval / BusTiming().poll_interval
    master = BusMaster(sim.hall_url, HALL_DEVICES, on_event=events, timing=timing)
    stop = threading.Event()

    def busy_keypad() -> None:
        keys = (Key.CALL_NEXT, Key.RECALL, Key.FINISH)
        n = 0
        while not stop.is_set():
            sim.press_key(3, keys[n % len(keys)])
            n += 1
            time.sleep(0.01)

    presser = threading.Thread(target=busy_keypad, name="busy-keypad")
    master.start()
    try:
        expected = {d.address for d in HALL_DEVICES}
        wait_until(lambda: expected <= {e.address for e in events.of(DeviceOnline)})
        presser.start()
        time.sleep(timing.poll_interval)  # the traffic is steady before the device goes
        silenced = time.monotonic()
        sim.set_muted(5)
        stamp, _ = events.wait_for(DeviceOffline, lambda e: e.address == 5, timeout=bound + 3)
        assert stamp - silenced <= bound
        assert master.stats.frames_in > 100  # the traffic was there all along
    finally:
        stop.set()
        if presser.is_alive():
            presser.join()
        master.stop()
    assert [e.address for e in events.of(DeviceOffline)] == [5]  # the others kept answering
