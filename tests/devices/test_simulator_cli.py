"""``python -m app.devices.simulator`` end to end: a host bus on the ports it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.devices.bus import BusMaster
from app.devices.events import DeviceOnline, KeyPressed, RatingGiven
from app.devices.frame68 import Key, Rating
from tests.devices.pty_helpers import FAST, HALL_DEVICES, EventLog

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.devices.simulator", "-q", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_interactive_commands_drive_a_real_host(tmp_path: Path, events: EventLog) -> None:
    proc = _start("--keypad", "3", "--evaluator", "5", "--dir", str(tmp_path))
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert "Simulated ports" in proc.stdout.readline()
        name, url = proc.stdout.readline().split()
        assert (name, url) == ("hall", str(tmp_path / "hall"))
        assert os.path.islink(url)
        bus = BusMaster(url, HALL_DEVICES[:2], on_event=events, timing=FAST)
        bus.start()
        try:
            events.wait_for(DeviceOnline, lambda e: e.address == 5)
            proc.stdin.write("key 3 next\nrate 5 03\n")
            proc.stdin.flush()
            events.wait_for(KeyPressed, lambda e: e.key is Key.CALL_NEXT)
            events.wait_for(RatingGiven, lambda e: e.rating is Rating.DISSATISFIED)
            # the acknowledgements are on their way to the simulator's port thread
            proc.stdin.write("bogus\nwait 0.3\nstate\nquit\n")
            proc.stdin.flush()
            out, err = proc.communicate(timeout=10)
        finally:
            bus.stop()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "unknown command 'bogus'" in out
    assert "keypad      3" in out and "acked=1" in out
    assert not os.path.exists(url)  # symlink removed on exit


def test_script_file(tmp_path: Path) -> None:
    script = tmp_path / "scenario.txt"
    script.write_text("# no host attached: frames go unanswered\nkey 3 0C\nwait 0.1\nstate\n")
    proc = _start("--keypad", "3", "--printer", "--paper", "near", "--script", str(script))
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "printer paper=near_end" in out
    assert "sent=1" in out  # sent once, the 300 ms retry not due yet
    bad = tmp_path / "bad.txt"
    bad.write_text("key 3 ZZ\n")
    proc = _start("--keypad", "3", "--script", str(bad))
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1
    assert "not a hex byte" in err or "not a hex byte" in out
