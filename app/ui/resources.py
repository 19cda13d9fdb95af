"""Where the UI finds its resources (stylesheet, translations), in a checkout and frozen."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """`resources/` of the checkout, or the copy PyInstaller unpacked next to the program."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def style_path() -> Path:
    return resources_dir() / "style" / "halldesk.qss"
