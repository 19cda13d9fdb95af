"""Port wrapper and back-off, on pyserial's loop:// and a missing device path."""

from __future__ import annotations

import pytest

from app.devices.transport import Backoff, ConnectionState, Port, PortError, wire_time


def test_backoff_doubles_to_ten_seconds_and_resets() -> None:
    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(8)] == [0.5, 1, 2, 4, 8, 10, 10, 10]
    backoff.reset()
    assert backoff.next_delay() == 0.5
    short = Backoff(0.1, 0.3)
    assert [short.next_delay() for _ in range(4)] == [0.1, 0.2, 0.3, 0.3]
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_wire_time_is_ten_bits_per_byte() -> None:
    assert wire_time(960, 9600) == pytest.approx(1.0)
    assert wire_time(15) == pytest.approx(0.015625)


def test_constructor_does_no_io_and_loop_round_trips() -> None:
    port = Port("loop://", 9600, timeout=0.05)
    assert port.state is ConnectionState.CLOSED
    with pytest.raises(PortError):
        port.read()
    port.open()
    try:
        assert port.is_open
        port.write(b"\x68\x02\x02\x68")
        assert port.read(2) == b"\x68\x02"  # at most max_bytes
        assert port.read() == b"\x02\x68"
        assert port.read() == b""  # nothing after the timeout
    finally:
        port.close()
    assert port.state is ConnectionState.CLOSED
    port.close()  # twice is fine


def test_open_failure_leaves_the_port_failed(tmp_path: object) -> None:
    port = Port(f"{tmp_path}/no-such-tty", 9600)
    with pytest.raises(PortError):
        port.open()
    assert port.state is ConnectionState.FAILED
    assert "no-such-tty" in port.last_error
    with pytest.raises(PortError):
        port.write(b"x")


def test_list_serial_ports_names_real_ports_sorted() -> None:
    from app.devices.transport import SerialPortInfo, list_serial_ports

    ports = list_serial_ports()
    assert all(isinstance(p, SerialPortInfo) and p.device for p in ports)
    assert [p.device for p in ports] == sorted(p.device for p in ports)
