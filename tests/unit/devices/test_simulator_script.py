"""Parsing of the simulator's scenario commands (no ports needed)."""

from __future__ import annotations

import io

import pytest

from app.devices.simulator import Simulator
from app.devices.simulator.script import ScriptCommand, ScriptError, execute, parse_line


def test_parse_lines() -> None:
    assert parse_line("key 3 0C") == ScriptCommand("key", ("3", "0C"))
    assert parse_line("  FAULT slow 0.4   # late answers", 7) == ScriptCommand(
        "fault", ("slow", "0.4"), 7
    )
    assert parse_line("") is None
    assert parse_line("# only a comment") is None


@pytest.mark.parametrize(
    "line",
    [
        "key 3",
        "key x 0C",
        "key 3 GG",
        "key 3 100",
        "rate 5",
        "wait soon",
        "fault sparks",
        "fault slow",
        "unplug 1 usb",
        "paper empty",
        "dance",
        "key 42 0C",  # no keypad there
    ],
)
def test_bad_commands_raise_script_error(line: str) -> None:
    sim = Simulator()  # not started: no port is touched before the arguments are checked
    sim.add_keypad(3)
    cmd = parse_line(line)
    assert cmd is not None
    with pytest.raises(ScriptError):
        execute(sim, cmd, io.StringIO())


def test_quit_and_help() -> None:
    sim = Simulator()
    out = io.StringIO()
    assert execute(sim, ScriptCommand("help", ()), out)
    assert "fault noack" in out.getvalue()
    assert not execute(sim, ScriptCommand("quit", ()), out)


def test_keypad_display_text_shows_blanks_and_the_closed_dashes() -> None:
    from app.devices.simulator.hallbus import display_text

    assert display_text(bytes([0x0A, 0x0A, 7, 0, 1, 2])) == "  7|012"
    assert display_text(bytes([0x0A, 0x0A, 5, 0x0B, 0x0B, 0x0B])) == "  5|---"
