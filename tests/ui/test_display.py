"""The hall display: latest call, recent calls, counters, waiting counts, voice calling."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import log_in


def _serve(core, counter: int, job: str) -> None:
    staff = core.auth.login(job, "1234")
    core.counters.open_session("DEMO", counter, staff)


def test_shows_calls_counters_and_waiting_and_speaks_only_new_calls(
    qtbot, make_stations, make_voice, core, english
):
    # Before the display starts: an old call it must not announce.
    for _ in range(3):
        core.queue.issue_ticket("DEMO", "PAY")
    _serve(core, 2, "1002")
    core.queue.call_next("DEMO", 2)  # A001 -> counter 2
    voice = make_voice(("en_US",))
    spoken: list[str] = []
    voice.started.connect(lambda _uid, text: spoken.append(text))
    display = make_stations(core, ["display"], voice=voice).display
    qtbot.waitUntil(lambda: display.latest_call_text == "A001 → Counter 2")
    assert display.view.latest_sub.text() == "A001 → 2号窗口"

    _serve(core, 3, "1003")
    core.queue.call_next("DEMO", 3)  # A002 -> counter 3
    core.queue.recall("DEMO", 2)  # A001 again at counter 2
    qtbot.waitUntil(lambda: len(spoken) == 2 and not voice.busy, timeout=10_000)
    assert display.latest_call_text == "A001 → Counter 2"
    assert spoken == [
        "Number A 0 0 2, please go to counter 3",
        "Number A 0 0 1, please go to counter 2",
    ]
    # Recent calls: A002 (A001's recall is the latest call, not listed twice).
    recent = [display.view.recent_grid.itemAtPosition(0, c).widget().text() for c in (0, 1)]
    assert recent == ["A002", "Counter 3"]
    assert display.view.recent_grid.rowCount() >= 1
    tiles = _tiles(display)
    assert tiles[0] == ("Counter 1", "Closed")
    assert tiles[1] == ("Counter 2", "A001")
    assert tiles[2] == ("Counter 3", "A002")
    waiting = [
        display.view.waiting_row.itemAt(i).widget().text()
        for i in range(display.view.waiting_row.count() - 1)
    ]
    assert waiting[0] == "Bill payment: 1 waiting"


def _tiles(display):
    grid = display.view.counter_grid
    tiles = []
    for i in range(grid.count()):
        tile = grid.itemAt(i).widget()
        labels = [tile.layout().itemAt(j).widget().text() for j in range(2)]
        tiles.append(tuple(labels))
    return tiles


def test_paused_counter_and_mute_switch(qtbot, make_stations, make_voice, sqlite_core, english):
    _serve(sqlite_core, 5, "1005")
    sqlite_core.counters.pause("DEMO", 5, "lunch")
    voice = make_voice(("en_US",))
    display = make_stations(sqlite_core, ["display"], voice=voice).display
    qtbot.waitUntil(lambda: len(_tiles(display)) == 6)
    assert _tiles(display)[4] == ("Counter 5", "Paused")
    assert display.view.mute.isVisible()
    assert display.view.mute.text() == "Voice on (M)"
    qtbot.keyClick(display, Qt.Key.Key_M)
    assert voice.muted
    assert display.view.mute.text() == "Voice off (M)"
    spoken: list[str] = []
    voice.started.connect(lambda _uid, text: spoken.append(text))
    sqlite_core.counters.resume("DEMO", 5)
    sqlite_core.queue.issue_ticket("DEMO", "ENQ")
    sqlite_core.queue.call_next("DEMO", 5)
    qtbot.waitUntil(lambda: display.latest_call_text == "C001 → Counter 5", timeout=1500)
    assert spoken == []  # muted: shown, not spoken
    display.set_muted(False)
    assert not voice.muted and not display.view.mute.isChecked()


def test_without_voice_the_mute_switch_is_hidden(qtbot, make_stations, sqlite_core):
    display = make_stations(sqlite_core, ["display"], voice=None).display
    qtbot.waitUntil(lambda: display.last_seen is not None)
    assert not display.view.mute.isVisible()


def test_chinese_display(qtbot, make_stations, sqlite_core, chinese):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    _serve(sqlite_core, 3, "1003")
    display = make_stations(sqlite_core, ["display"], voice=None).display
    qtbot.waitUntil(lambda: display.last_seen is not None)
    sqlite_core.queue.call_next("DEMO", 3)
    qtbot.waitUntil(lambda: display.latest_call_text == "A001 → 3号窗口", timeout=1500)
    assert display.view.latest_sub.text() == "A001 → Counter 3"
    assert display.view.latest_caption.text() == "正在呼叫"


def test_kiosk_to_counter_to_display(qtbot, make_stations, make_voice, core, english):
    """A ticket issued at the kiosk is called at the counter and shown on the display."""
    voice = make_voice(("en_US",))
    stations = make_stations(core, ["kiosk", "counter", "display"], voice=voice)
    kiosk, counter, display = stations.kiosk, stations.counter, stations.display
    spoken: list[str] = []
    voice.started.connect(lambda _uid, text: spoken.append(text))
    qtbot.waitUntil(lambda: "PAY" in kiosk.buttons)
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000) as issued:
        qtbot.mouseClick(kiosk.buttons["PAY"], Qt.MouseButton.LeftButton)
    number = issued.args[0].ticket.display_number
    assert number == "A001"

    log_in(qtbot, counter)  # job 1001, password 1234, counter 1
    qtbot.waitUntil(lambda: counter.state is not None and counter.state.waiting_total == 1)
    with qtbot.waitSignal(counter.action_completed, timeout=10_000):
        qtbot.keyClick(counter, Qt.Key.Key_F1)
    assert counter.view.current_number.text() == "A001"

    qtbot.waitUntil(lambda: display.latest_call_text == "A001 → Counter 1", timeout=1000)
    qtbot.waitUntil(lambda: spoken == ["Number A 0 0 1, please go to counter 1"])
    qtbot.waitUntil(lambda: kiosk.buttons["PAY"].waiting_label.text() == "0 waiting")


def test_now_calling_clears_when_the_call_is_no_longer_current(
    qtbot, make_stations, sqlite_core, english
):
    """A new user saw B001 → counter 1 stay up after B001 was finished and the clerk had
    logged out, and a transferred ticket stay up: customers sent to a closed counter."""
    core = sqlite_core
    for service in ("APPLY", "PAY"):
        core.queue.issue_ticket("DEMO", service)
    _serve(core, 1, "1001")
    core.queue.call_number("DEMO", 1, "B001")
    display = make_stations(core, ["display"]).display
    qtbot.waitUntil(lambda: display.latest_call_text == "B001 → Counter 1")
    core.queue.finish("DEMO", 1)
    core.counters.close_session("DEMO", 1)
    qtbot.waitUntil(lambda: display.latest_call_text == "—", timeout=3000)
    assert _tiles(display)[0] == ("Counter 1", "Closed")
    _serve(core, 2, "1002")
    core.queue.call_next("DEMO", 2)  # A001 -> counter 2
    qtbot.waitUntil(lambda: display.latest_call_text == "A001 → Counter 2")
    core.queue.transfer("DEMO", 2, "ENQ")
    qtbot.waitUntil(lambda: display.latest_call_text == "—", timeout=3000)
    assert display.view.recent_grid.count() == 0
