"""Typed TOML sections: frozen dataclasses built from a parsed file, every error naming the
file and, where it can be found, the line (the machinery of `app.settings`)."""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from app.toml_lines import line_of as _line_of


class SettingsError(Exception):
    """A settings file that cannot be used; names the file and, where known, the line."""

    def __init__(self, path: Path | None, message: str, line: int | None = None) -> None:
        where = str(path) if path else "<settings>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.reason = message


class MissingSettingsFile(SettingsError):
    """A settings file named by the user (`--config`) that does not exist."""


def build_section(
    cls: type[Any],
    raw: Any,
    text: str,
    path: Path | None,
    section: str,
    required: tuple[str, ...] = (),
    index: int = 0,
) -> Any:
    """One settings table: `[section]`, or the `index`-th `[[section]]` with `required` keys."""
    shown = f"[[{section}]]" if required else f"[{section}]"
    if not isinstance(raw, dict):
        raise SettingsError(path, f"{shown} must be a table", _line_of(text, section, None))
    for key in required:
        if key not in raw:
            raise SettingsError(
                path, f"{shown} entry misses '{key}'", _line_of(text, section, None, index)
            )
    known = {f.name: f for f in fields(cls) if f.name != "path"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise SettingsError(
                path, f"unknown setting '{key}' in {shown}", _line_of(text, section, key, index)
            )
        default = "" if key in required else _default_of(known[key])
        values[key] = _coerce(value, default, text, path, section, key, index)
    return cls(**values)


def _default_of(f: Any) -> Any:
    if f.default_factory is not MISSING:
        return f.default_factory()
    return f.default


def _coerce(
    value: Any,
    default: Any,
    text: str,
    path: Path | None,
    section: str,
    key: str,
    index: int = 0,
) -> Any:
    def bad(expected: str) -> SettingsError:
        return SettingsError(
            path,
            f"'{key}' in [{section}] must be {expected}, not {value!r}",
            _line_of(text, section, key, index),
        )

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("a whole number")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a text in quotes")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of texts")
        return tuple(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise bad("a table")
        return {str(k): str(v) for k, v in value.items()}
    if default is None:  # required field without default
        return value
    return value


def list_of_tables(raw: Any, text: str, path: Path | None, section: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise SettingsError(
            path,
            f"'{section}' must be written as [[{section}]] tables",
            _line_of(text, None, section),
        )
    return raw
