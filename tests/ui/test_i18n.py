"""Translations: complete zh_CN, every placeholder kept, .qm built on demand."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from app.ui import i18n

UI_DIR = Path(i18n.__file__).resolve().parent
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%n|%L?\d")


def _messages(ts: Path) -> dict[tuple[str, str], dict[str, object]]:
    root = ET.parse(ts).getroot()
    out: dict[tuple[str, str], dict[str, object]] = {}
    for ctx in root.iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            forms = [f.text or "" for f in tr.iter("numerusform")] or [tr.text or ""]
            out[(name, msg.findtext("source"))] = {
                "forms": forms,
                "type": tr.get("type", ""),
                "numerus": msg.get("numerus") == "yes",
            }
    return out


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_placeholder_survives_translation(language):
    messages = _messages(i18n.ts_path(language))
    assert messages
    for (context, source), msg in messages.items():
        wanted = sorted(PLACEHOLDER.findall(source))
        for form in msg["forms"]:
            assert sorted(PLACEHOLDER.findall(form)) == wanted, (context, source, form)
        if msg["numerus"]:
            assert "%n" in source
            assert len(msg["forms"]) == (1 if language == "zh_CN" else 2), source


def _extract(tmp_path: Path) -> dict[tuple[str, str], dict[str, object]]:
    lupdate = i18n._pyside_tool("lupdate")
    assert lupdate, "lupdate ships with PySide6"
    out = tmp_path / "extracted.ts"
    subprocess.run(
        [
            lupdate,
            "-silent",
            "-extensions",
            "py",
            "-locations",
            "none",
            str(UI_DIR),
            "-ts",
            str(out),
        ],
        check=True,
    )
    return _messages(out)


def test_every_tr_string_in_the_ui_has_a_chinese_and_an_english_translation(tmp_path):
    extracted = _extract(tmp_path)
    assert len(extracted) > 100
    zh = _messages(i18n.ts_path("zh_CN"))
    en = _messages(i18n.ts_path("en"))
    for key in extracted:
        for name, table in (("zh_CN", zh), ("en", en)):
            assert key in table, f"{name} lacks {key}; run python -m app.ui.i18n update"
            msg = table[key]
            assert msg["type"] == "", f"{name}: {key} is {msg['type']}"
            assert all(form.strip() for form in msg["forms"]), (name, key)
    for key, msg in zh.items():  # Chinese is really Chinese, not a copy of the source
        if key[1] not in ("HallDesk - {role}",):
            assert msg["forms"][0] != key[1], key


def test_translation_contexts_are_the_ui_classes(tmp_path):
    """self.tr() in a subclass, or tr() on another object, would look up the wrong context."""
    classes: dict[str, list[str]] = {}
    for path in UI_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = [ast.unparse(b) for b in node.bases]
    contexts = {context for context, _ in _extract(tmp_path)}
    assert contexts <= set(classes) | {"Messages"}, contexts - set(classes)
    subclassed = {base for bases in classes.values() for base in bases}
    assert not contexts & subclassed, "a class using self.tr() is subclassed"


def test_qm_is_built_in_the_cache_and_rebuilt_when_stale(tmp_path):
    qm = i18n.qm_path("zh_CN", tmp_path)
    assert qm == tmp_path / "halldesk_zh_CN.qm"
    assert qm.stat().st_size > 1000
    old = i18n.ts_path("zh_CN").stat().st_mtime - 100
    os.utime(qm, (old, old))
    assert i18n.qm_path("zh_CN", tmp_path) == qm
    assert qm.stat().st_mtime > old  # rebuilt: older than its .ts


def test_language_names_are_normalised():
    assert i18n.normalise_language("zh") == "zh_CN"
    assert i18n.normalise_language("zh-Hans") == "zh_CN"
    assert i18n.normalise_language("en_US") == "en"
    assert i18n.normalise_language("fr") == "zh_CN"


def test_every_chinese_text_is_served_at_run_time(chinese):
    for (context, source), msg in _messages(i18n.ts_path("zh_CN")).items():
        if msg["numerus"]:
            got = QCoreApplication.translate(context, source, None, 3)
            assert got == msg["forms"][0].replace("%n", "3")
        else:
            assert QCoreApplication.translate(context, source) == msg["forms"][0]
