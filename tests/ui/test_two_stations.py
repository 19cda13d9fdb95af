"""Two PCs sharing one central database see each other's changes within a second.

Each "PC" is its own Core (engine, services), TaskManager and HallWatcher on the same
SQLite file, as the kiosk PC and the counter PC of a small hall would be.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import build_core
from tests.conftest import make_settings
from tests.ui.conftest import log_in


@pytest.fixture
def second_core(sqlite_url, sqlite_core, tmp_path):
    core = build_core(make_settings(sqlite_url), data_dir=tmp_path, demo=True)
    yield core
    core.close()


def test_kiosk_pc_and_counter_pc_follow_each_other(
    qtbot, make_stations, make_voice, sqlite_core, second_core, english
):
    kiosk_pc = make_stations(sqlite_core, ["kiosk"])
    counter_pc = make_stations(second_core, ["counter", "display"], voice=make_voice())
    kiosk, counter, display = kiosk_pc.kiosk, counter_pc.counter, counter_pc.display
    assert kiosk_pc.tasks is not counter_pc.tasks
    log_in(qtbot, counter)
    qtbot.waitUntil(lambda: counter.state is not None and counter.state.waiting_total == 0)
    qtbot.waitUntil(lambda: "APPLY" in kiosk.buttons)

    # A ticket issued on the kiosk PC shows at the counter PC within 1 s.
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000):
        qtbot.mouseClick(kiosk.buttons["APPLY"], Qt.MouseButton.LeftButton)
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: counter.state.waiting_total == 1, timeout=1000)
    assert time.monotonic() - t0 < 1.0

    # The call made on the counter PC shows on the kiosk PC (count) within 1 s.
    qtbot.waitUntil(lambda: kiosk.buttons["APPLY"].waiting_label.text() == "1 waiting")
    with qtbot.waitSignal(counter.action_completed, timeout=10_000):
        qtbot.keyClick(counter, Qt.Key.Key_F1)
    t0 = time.monotonic()
    qtbot.waitUntil(
        lambda: kiosk.buttons["APPLY"].waiting_label.text() == "0 waiting", timeout=1000
    )
    assert time.monotonic() - t0 < 1.0
    qtbot.waitUntil(lambda: display.latest_call_text == "B001 → Counter 1", timeout=1000)


def test_a_display_pc_sees_calls_made_on_another_pc(
    qtbot, make_stations, make_voice, sqlite_core, second_core, english
):
    voice = make_voice()
    spoken: list[str] = []
    voice.started.connect(lambda _uid, text: spoken.append(text))
    display = make_stations(sqlite_core, ["display"], voice=voice).display
    qtbot.waitUntil(lambda: display.last_seen is not None)
    # The other PC (its own engine and services) issues and calls.
    second_core.queue.issue_ticket("DEMO", "GREEN")
    staff = second_core.auth.login("1006", "1234")
    second_core.counters.open_session("DEMO", 6, staff)
    second_core.queue.call_next("DEMO", 6)
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: display.latest_call_text == "V001 → Counter 6", timeout=1000)
    assert time.monotonic() - t0 < 1.0
    qtbot.waitUntil(lambda: spoken == ["Number V 0 0 1, please go to counter 6"])
