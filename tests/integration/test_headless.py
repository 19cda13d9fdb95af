"""`main.py --config FILE --headless`: the bus station as field engineers run it.

A real process, a settings file pointing at the device simulator's ptys and a SQLite
file; a keypad press is served through it, SIGTERM stops it cleanly with exit code 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.bootstrap import build_core
from app.devices.frame68 import Key
from app.devices.simulator.core import Simulator
from app.settings import load_settings
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def _config(path: Path, db: Path, sim: Simulator) -> None:
    path.write_text(
        f"""version = 1
[database]
url = "sqlite:///{db.as_posix()}"
[station]
name = "BUS-1"
hall = "DEMO"
roles = ["bus"]

[[buses]]
name = "hallbus"
url = "{sim.hall_url}"

[[devices]]
kind = "caller"
bus = "hallbus"
address = 2
counter = 2
""",
        encoding="utf-8",
    )


def test_headless_bus_station_serves_keypad_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite3"
    cfg = tmp_path / "halldesk.toml"
    sim = Simulator(seed=2)
    sim.add_keypad(2)
    with sim:
        _config(cfg, db, sim)
        core = build_core(make_settings(f"sqlite:///{db}"), data_dir=tmp_path, demo=True)
        clerk = core.auth.login("1002", "1234")
        core.counters.open_session("DEMO", 2, clerk)
        core.queue.issue_ticket("DEMO", "PAY")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            [sys.executable, "main.py", "--config", str(cfg), "--headless"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
        try:
            assert proc.stdout is not None
            deadline = time.monotonic() + 30
            for line in proc.stdout:
                if "running" in line or time.monotonic() > deadline:
                    break
            sim.press_key(2, Key.CALL_NEXT)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if core.queries.counter_state("DEMO", 2).current is not None:
                    break
                time.sleep(0.05)
            state = core.queries.counter_state("DEMO", 2)
            assert state.current is not None and state.current.display_number == "A001"
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        core.close()
    assert proc.returncode == 0, out
    assert "stopped" in out
    # the settings file the station ran on is a valid one
    assert load_settings(cfg).devices[0].counter == 2
