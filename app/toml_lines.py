"""Line numbers in a TOML text, for messages that point at the line to fix.

`tomllib` gives values, not positions; a settings error is only useful with its line
("halldesk.toml, line 12: ..."), so this finds where a key or table was written. Pure text
work: no TOML parsing, no I/O, nothing of HallDesk imported.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[")


def line_of(text: str, section: str | None, key: str | None, index: int = 0) -> int | None:
    """Best-effort line number of `key` inside `[section]` (the `index`-th `[[section]]`
    of an array of tables) for messages; the section's header line if the key is not there.
    Top-level keys (`section=None`) are looked for before the first header, then as a
    header of their own (`[key]`, `[[key]]`)."""
    lines = text.splitlines()

    def header_of(name: str, nth: int) -> int | None:
        pattern = re.compile(r"^\s*\[\[?\s*" + re.escape(name) + r"\s*\]\]?\s*(#.*)?$")
        found = [i for i, line in enumerate(lines) if pattern.match(line)]
        return found[nth] if nth < len(found) else None

    def key_between(first: int, name: str) -> int | None:
        pattern = re.compile(r"^\s*(" + re.escape(name) + r'|"' + re.escape(name) + r'")\s*=')
        for i in range(first, len(lines)):
            if _HEADER.match(lines[i]):
                return None
            if pattern.match(lines[i]):
                return i + 1
        return None

    if section is None:
        if key is None:
            return None
        at = key_between(0, key)
        if at is not None:
            return at
        head = header_of(key, 0)
        return head + 1 if head is not None else None
    head = header_of(section, index)
    if head is None:
        return None
    if key is None:
        return head + 1
    return key_between(head + 1, key) or head + 1
