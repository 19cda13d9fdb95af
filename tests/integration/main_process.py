"""Running `main.py` as a real process, as a user or a scheduler would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_main(
    *args: str,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    display: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`python main.py ARGS` with no OS keyring and no database URL from this environment
    (and no display, unless `display`); standard input is `input_text`."""
    drop = {"HALLDESK_DATABASE_URL"} | (set() if display else {"DISPLAY", "WAYLAND_DISPLAY"})
    full_env = {k: v for k, v in os.environ.items() if k not in drop}
    full_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # no OS keyring here
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        input=input_text,
        timeout=60,
        check=False,
    )
