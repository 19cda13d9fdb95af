"""A station that cannot start says why in one line and exits 2 (settings) or 3 (database).

Real processes, as a field engineer starts them: `main.py --config FILE --headless`, and
the window path (`run`) with a display present. Either way: the exit code, exactly one
line on stderr naming the file or setting, and no traceback.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.settings import load_settings
from tests.integration.main_process import run_main

# The window path: a display that is never opened (every case stops before Qt starts);
# the offscreen platform keeps a wrongly started window from needing a real one.
MODES = {
    "headless": (["--headless"], {}),
    "windows": ([], {"DISPLAY": ":97", "QT_QPA_PLATFORM": "offscreen"}),
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_main(*args, env=env, display=False)


def _config(tmp_path: Path, db: Path, *, hall: str = "DEMO", devices: str = "") -> Path:
    path = tmp_path / "halldesk.toml"
    path.write_text(
        f"""version = 1
[database]
url = "sqlite:///{db.as_posix()}"
[station]
name = "BUS-1"
hall = "{hall}"
roles = ["bus"]
{devices}""",
        encoding="utf-8",
    )
    return path


def _demo_database(tmp_path: Path) -> Path:
    db = tmp_path / "central.sqlite3"
    settings = load_settings(_config(tmp_path, db))
    build_core(settings, data_dir=tmp_path, demo=True).close()
    return db


def _one_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n"), done.stderr
    assert done.stdout == ""
    return done.stderr


BUSES = """
[[buses]]
name = "hallbus"
url = "/dev/ttyHALLDESK-NONE0"
"""

MIXED = (
    BUSES
    + """
[[devices]]
kind = "caller"
bus = "hallbus"
address = 2
counter = 2

[[devices]]
kind = "printer"
bus = "hallbus"
"""
)

TWO_PRINTERS = (
    BUSES
    + """
[[devices]]
kind = "printer"
bus = "hallbus"
address = 1

[[devices]]
kind = "printer"
bus = "hallbus"
address = 2
"""
)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("devices", "words"),
    [(MIXED, "bus 'hallbus' mixes"), (TWO_PRINTERS, "bus 'hallbus' has two printers")],
    ids=["mixed-families", "two-printers"],
)
def test_a_bus_that_cannot_be_built_is_a_settings_error(
    tmp_path: Path, mode: str, devices: str, words: str
) -> None:
    db = _demo_database(tmp_path)
    config = _config(tmp_path, db, devices=devices)
    args, env = MODES[mode]
    line = _one_line(_run(["--config", str(config), *args], env), 2)
    assert str(config) in line and words in line


@pytest.mark.parametrize("mode", MODES)
def test_a_hall_missing_from_the_database_is_named(tmp_path: Path, mode: str) -> None:
    db = _demo_database(tmp_path)
    config = _config(tmp_path, db, hall="REAL")
    args, env = MODES[mode]
    line = _one_line(_run(["--config", str(config), *args], env), 2)
    assert str(config) in line and "[station] hall 'REAL'" in line and str(db) in line


@pytest.mark.parametrize("mode", MODES)
def test_a_file_that_is_not_a_database_is_named(tmp_path: Path, mode: str) -> None:
    db = tmp_path / "central.sqlite3"
    db.write_bytes(b"these are a clerk's notes, not a database\n" * 200)
    config = _config(tmp_path, db)
    args, env = MODES[mode]
    line = _one_line(_run(["--config", str(config), *args], env), 3)
    assert "cannot open the central database" in line and str(db) in line


def test_no_display_says_so_and_does_not_run_the_demo_instead(tmp_path: Path) -> None:
    """A station configured for a hall, started without a display and without
    --headless: it names the option that runs it headless, rather than running the
    simulator's demo in place of the configured hall."""
    db = tmp_path / "central.sqlite3"
    config = _config(tmp_path, db)
    line = _one_line(_run(["--config", str(config)], {}), 2)
    assert "no display" in line and "--headless" in line
    assert not db.exists()  # nothing was started
