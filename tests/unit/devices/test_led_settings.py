"""The `layout` of an LED device in the settings file: parsed, saved, refused with file and
line (the other settings fields are tested in tests/unit/test_settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.devices.modbus import LedLayout
from app.settings import LED_LAYOUTS, SettingsError, load_settings, parse_settings, save_settings

HEAD = """\
[[buses]]
name = "led"
url = "/dev/ttyUSB1"

"""


def _file(tmp_path: Path, device: str) -> Path:
    path = tmp_path / "halldesk.toml"
    path.write_text(HEAD + device, encoding="utf-8")
    return path


def test_settings_know_the_codecs_layouts() -> None:
    assert tuple(layout.value for layout in LedLayout) == LED_LAYOUTS


def test_layout_defaults_to_digits_and_round_trips(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '[[devices]]\nkind = "led"\nbus = "led"\naddress = 1\n\n'
        '[[devices]]\nkind = "led"\nbus = "led"\naddress = 2\nlayout = "ascii"\n',
    )
    settings = load_settings(path)
    assert [d.layout for d in settings.devices] == ["digits", "ascii"]
    save_settings(settings, path)
    assert [d.layout for d in load_settings(path).devices] == ["digits", "ascii"]


@pytest.mark.parametrize(
    ("device", "line", "words"),
    [
        (
            '[[devices]]\nkind = "led"\nbus = "led"\nlayout = "letters"\n',
            8,
            "unknown LED layout 'letters' (known: digits, ascii)",
        ),
        (
            '[[devices]]\nkind = "caller"\nbus = "led"\nlayout = "ascii"\n',
            8,
            "layout is for LED displays, not a caller",
        ),
        ('[[devices]]\nkind = "led"\nbus = "led"\nlayout = 4\n', 8, "must be a text in quotes"),
    ],
)
def test_bad_layout_names_file_and_line(tmp_path: Path, device: str, line: int, words: str) -> None:
    path = _file(tmp_path, device)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}, line {line}: ")
    assert words in str(caught.value)


def test_layout_error_without_file() -> None:
    text = HEAD + '[[devices]]\nkind = "led"\nbus = "led"\nlayout = "ASCII"\n'
    with pytest.raises(SettingsError, match=r"^<settings>, line 8: unknown LED layout 'ASCII'"):
        parse_settings(text)
