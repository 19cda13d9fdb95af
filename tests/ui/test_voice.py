"""VoiceCaller: calls are spoken in order, one at a time, never cut off (Qt's mock engine)."""

from __future__ import annotations

import logging
import sys
import time
import warnings

import pytest

from app.ui.qtcompat import disconnect
from app.ui.voice import VoiceCaller
from app.ui.voice_text import call_text, zh_counter_number, zh_ticket


def test_spoken_texts_read_the_number_symbol_by_symbol():
    assert call_text("A012", 3, "zh_CN") == "请 A 零 一 二 号 到 三 号窗口 办理"
    assert call_text("A012", 3, "en_US") == "Number A 0 1 2, please go to counter 3"
    assert call_text("V105", 12, "zh") == "请 V 一 零 五 号 到 十二 号窗口 办理"
    assert zh_ticket("b007") == "B 零 零 七"
    assert [zh_counter_number(n) for n in (1, 10, 12, 20, 23, 105)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十三",
        "一零五",
    ]


class Recorder:
    """Follows a VoiceCaller: what started and finished when, and what the engine did."""

    def __init__(self, voice: VoiceCaller) -> None:
        self.events: list[tuple[str, int, str, float]] = []
        voice.started.connect(lambda uid, text: self._add("start", uid, text))
        voice.finished.connect(lambda uid, text: self._add("end", uid, text))

    def _add(self, kind: str, uid: int, text: str) -> None:
        self.events.append((kind, uid, text, time.monotonic()))

    def texts(self, kind: str) -> list[str]:
        return [text for k, _uid, text, _t in self.events if k == kind]


def test_calls_are_spoken_in_order_and_each_waits_for_the_previous(qtbot, make_voice):
    voice = make_voice(("en_US",))
    qtbot.waitUntil(lambda: voice.engine_ready is True)
    rec = Recorder(voice)
    first = voice.announce("A012", 3)
    second = voice.announce("B003", 4)
    assert [u.text for u in first + second] == [
        "Number A 0 1 2, please go to counter 3",
        "Number B 0 0 3, please go to counter 4",
    ]
    # While the first is being spoken, the second waits in the queue.
    assert voice.current == first[0]
    assert voice.pending == tuple(second)
    with qtbot.waitSignal(voice.drained, timeout=10_000):
        pass
    assert [(k, uid) for k, uid, _x, _t in rec.events] == [
        ("start", first[0].uid),
        ("end", first[0].uid),
        ("start", second[0].uid),
        ("end", second[0].uid),
    ]
    # Not cut off: the mock engine speaks 100 ms per word; 9 words take ~0.9 s each.
    start1, end1, start2, end2 = (t for *_x, t in rec.events)
    assert end1 - start1 >= 0.7
    assert end2 - start2 >= 0.7
    assert start2 >= end1
    assert not voice.busy


def test_both_languages_are_queued_per_call(qtbot, make_voice):
    voice = make_voice(("zh_CN", "en_US"))
    utterances = voice.announce("A001", 1) + voice.announce("A002", 2)
    assert [(u.language, u.text) for u in utterances] == [
        ("zh_CN", "请 A 零 零 一 号 到 一 号窗口 办理"),
        ("en_US", "Number A 0 0 1, please go to counter 1"),
        ("zh_CN", "请 A 零 零 二 号 到 二 号窗口 办理"),
        ("en_US", "Number A 0 0 2, please go to counter 2"),
    ]
    rec = Recorder(voice)
    with qtbot.waitSignal(voice.drained, timeout=15_000):
        pass
    assert rec.texts("start") == [u.text for u in utterances]
    assert rec.texts("end") == [u.text for u in utterances]


def test_a_language_without_voice_falls_back_to_the_command_in_turn(qtbot, make_voice, tmp_path):
    """The mock engine has no Chinese voice: the fallback command speaks it, in its turn."""
    log = tmp_path / "spoken.txt"
    script = (
        "import sys, time; time.sleep(0.3); "
        f"open({str(log)!r}, 'a', encoding='utf-8').write(sys.argv[1] + '|' + sys.argv[2] + '\\n')"
    )
    voice = make_voice(
        ("zh_CN", "en_US"), fallback_command=(sys.executable, "-c", script, "{voice}", "{text}")
    )
    rec = Recorder(voice)
    voice.announce("C003", 5)
    voice.announce("C004", 6)
    with qtbot.waitSignal(voice.drained, timeout=20_000):
        pass
    assert log.read_text(encoding="utf-8").splitlines() == [
        "cmn|请 C 零 零 三 号 到 五 号窗口 办理",
        "cmn|请 C 零 零 四 号 到 六 号窗口 办理",
    ]
    kinds = [k for k, *_rest in rec.events]
    assert kinds == ["start", "end"] * 4  # strictly one after another
    assert rec.texts("end")[1] == "Number C 0 0 3, please go to counter 5"


def test_no_engine_at_all_uses_the_fallback(qtbot, make_voice, tmp_path):
    log = tmp_path / "spoken.txt"
    script = f"import sys; open({str(log)!r}, 'a').write(sys.argv[1] + '\\n')"
    voice = make_voice(
        ("en_US",), engine="none", fallback_command=(sys.executable, "-c", script, "{voice}")
    )
    qtbot.waitUntil(lambda: voice.engine_ready is False)
    with qtbot.waitSignal(voice.drained, timeout=10_000):
        voice.announce("A001", 1)
    assert log.read_text().splitlines() == ["en-us"]


def test_mute_drops_queued_calls_and_stops_the_current_one(qtbot, make_voice):
    voice = make_voice(("en_US",))
    qtbot.waitUntil(lambda: voice.engine_ready is True)
    rec = Recorder(voice)
    voice.announce("A001", 1)
    voice.announce("A002", 2)
    assert voice.busy
    voice.set_muted(True)
    assert not voice.busy
    assert rec.texts("end") == ["Number A 0 0 1, please go to counter 1"]
    assert voice.announce("A003", 3) == []
    voice.set_muted(False)
    with qtbot.waitSignal(voice.drained, timeout=10_000):
        voice.announce("A004", 4)
    assert rec.texts("start") == [
        "Number A 0 0 1, please go to counter 1",
        "Number A 0 0 4, please go to counter 4",
    ]


def test_an_engine_that_never_finishes_does_not_block_later_calls(qtbot, make_voice, monkeypatch):
    monkeypatch.setattr(VoiceCaller, "_timeout_ms", staticmethod(lambda _u: 300))
    voice = make_voice(("en_US",))
    qtbot.waitUntil(lambda: voice.engine_ready is True)
    # Swallow the request to the engine: it never reports an end.
    disconnect(voice.speak_requested)
    rec = Recorder(voice)
    voice.announce("A001", 1)
    voice.announce("A002", 2)
    with qtbot.waitSignal(voice.drained, timeout=5_000):
        pass
    assert rec.texts("end") == [
        "Number A 0 0 1, please go to counter 1",
        "Number A 0 0 2, please go to counter 2",
    ]
    assert voice.engine_ready is False  # later calls go to the fallback


def test_shutdown_joins_the_voice_thread(qtbot, make_voice):
    voice = make_voice(("en_US",))
    qtbot.waitUntil(lambda: voice.engine_ready is True)
    voice.announce("A001", 1)
    voice.shutdown()
    assert voice._thread.isFinished()
    assert voice.announce("A002", 2) == []


@pytest.mark.qt_log_ignore("Text-to-speech plug-in .* is not supported")
def test_shutdown_after_an_engine_that_failed_to_start_is_quiet(
    qtbot, make_voice, monkeypatch, caplog
):
    """An engine in error at start was never connected: shutdown must not disconnect it
    (libpyside's 'Failed to disconnect' RuntimeWarning on every GUI exit without speechd)."""
    monkeypatch.setattr("app.ui.voice.pick_engine", lambda _requested=None: "no-such-engine")
    voice = make_voice(("en_US",))
    qtbot.waitUntil(lambda: voice.engine_ready is False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # also in the voice thread: the filters are global
        started = time.monotonic()
        voice.shutdown()
    assert voice._thread.isFinished()
    assert time.monotonic() - started < 2  # the thread quit by itself, not by terminate()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
