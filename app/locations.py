"""Where HallDesk keeps its things: the settings file, the data folder, the central database.

The central database URL is decided here and nowhere else (`database_url`): the settings,
the bootstrap, the hall-day simulator and the command line all ask this one function, so
the order "environment, then the settings file, then the embedded SQLite file" cannot
drift apart between them. Nothing here imports the rest of HallDesk.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "HallDesk"
# Overrides the settings file's [database] url (a deployment, CI or a test run).
DATABASE_URL_ENV = "HALLDESK_DATABASE_URL"
EMBEDDED_DATABASE = "central.sqlite3"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "halldesk.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_url(
    configured: str,
    data_dir: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The central database URL: `HALLDESK_DATABASE_URL` in `environ` (default: this
    process's environment), else `configured` (the settings file's url), else the embedded
    SQLite file in `data_dir` (default: the user data folder). A caller with a database of
    its own that the environment must not redirect (the simulator) passes `environ={}`."""
    env = (os.environ if environ is None else environ).get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    if configured.strip():
        return configured.strip()
    return f"sqlite:///{(data_dir or default_data_dir()) / EMBEDDED_DATABASE}"
