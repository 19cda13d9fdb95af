"""`pip install -e .` (what scripts/test and scripts/run do) builds without warnings.

A field engineer reads the install's output for what went wrong; setuptools' notices
(its licence deprecation, then its "editable installation" banner of a flat layout) had
filled it with lines that are not about this machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_editable_install_builds_without_setuptools_warnings(tmp_path: Path) -> None:
    # Into a prefix of its own, ignoring the suite's own installation (which pip would
    # otherwise uninstall first); the build runs in pip's isolated environment, with the
    # setuptools the pyproject asks for, as on a fresh machine.
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--no-deps", "--ignore-installed"),
            *("--prefix", str(tmp_path / "prefix"), "-e", str(ROOT)),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "Successfully installed halldesk" in out
    noise = [
        line
        for line in out.splitlines()
        if "!!" in line or "Warning" in line or "deprecat" in line.lower()
    ]
    assert noise == [], "\n".join(noise)
    pth = list((tmp_path / "prefix").rglob("__editable__.halldesk-*.pth"))
    assert [p.read_text().strip() for p in pth] == [str(ROOT)]
