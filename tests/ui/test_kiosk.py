"""The kiosk: bilingual service buttons with waiting counts; a touch issues a ticket."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.devices.escpos import decode_to_text, ticket_bytes
from app.services.devices.dispenser import ticket_print
from app.services.errors import DatabaseUnavailable


def _kiosk(qtbot, make_stations, core):
    stations = make_stations(core, ["kiosk"])
    kiosk = stations.kiosk
    qtbot.waitUntil(lambda: len(kiosk.buttons) == 4)
    return stations, kiosk


def test_buttons_show_each_service_in_both_languages_with_its_waiting_count(
    qtbot, make_stations, sqlite_core
):
    sqlite_core.queue.issue_ticket("DEMO", "APPLY")
    sqlite_core.queue.issue_ticket("DEMO", "APPLY")
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    button = kiosk.buttons["PAY"]
    assert button.name_zh_label.text() == "缴费业务"
    assert button.name_en_label.text() == "Bill payment"
    assert button.prefix_label.text() == "A"
    qtbot.waitUntil(lambda: kiosk.buttons["APPLY"].waiting_label.text() == "2 waiting")
    assert kiosk.buttons["PAY"].waiting_label.text() == "0 waiting"
    assert kiosk.view.hall_zh.text() == "示范营业厅"


def test_a_touch_issues_a_ticket_and_shows_it_then_clears(qtbot, make_stations, core, english):
    core.queue.issue_ticket("DEMO", "PAY")
    stations, kiosk = _kiosk(qtbot, make_stations, core)
    kiosk.ticket_hold_ms = 300
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000) as blocker:
        qtbot.mouseClick(kiosk.buttons["PAY"], Qt.MouseButton.LeftButton)
    issued = blocker.args[0]
    assert issued.ticket.display_number == "A002"
    assert kiosk.showing_ticket
    assert kiosk.view.ticket_number.text() == "A002"
    assert kiosk.view.ticket_service.text() == "缴费业务  Bill payment"
    assert kiosk.view.ticket_ahead.text() == "1 person ahead of you"
    assert "min" in kiosk.view.ticket_wait.text() or "minute" in kiosk.view.ticket_wait.text()
    assert kiosk.view.ticket_time.text().startswith("Issued at ")
    # The ticket is really in the database, numbered from this PC's series.
    info = core.queries.ticket(issued.ticket.id)
    assert info is not None and info.status == "waiting"
    qtbot.waitUntil(lambda: kiosk.buttons["PAY"].waiting_label.text() == "2 waiting")
    qtbot.waitUntil(lambda: not kiosk.showing_ticket)  # cleared after the hold time


def test_buttons_are_disabled_while_issuing(qtbot, make_stations, sqlite_core):
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    kiosk.issue("ENQ")
    assert not kiosk.buttons["PAY"].isEnabled()
    assert kiosk.view.status.text() == "Issuing your ticket..."
    qtbot.waitUntil(lambda: kiosk.showing_ticket)
    assert kiosk.buttons["PAY"].isEnabled()
    assert kiosk.last_ticket.ticket.display_number == "C001"


def test_database_down_is_shown_clearly_and_nothing_is_issued(
    qtbot, make_stations, sqlite_core, monkeypatch
):
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    before = sqlite_core.queries.last_event_id("DEMO")

    def unreachable(*_a, **_k):
        raise DatabaseUnavailable("central database unreachable: connection refused")

    monkeypatch.setattr(sqlite_core.queue, "issue_ticket", unreachable)
    qtbot.mouseClick(kiosk.buttons["GREEN"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.view.status.level == "error")
    assert "cannot be reached" in kiosk.view.status.text()
    assert not kiosk.showing_ticket
    assert kiosk.buttons["GREEN"].isEnabled()  # the customer can try again
    assert sqlite_core.queries.last_event_id("DEMO") == before


def test_an_exhausted_series_is_explained(qtbot, make_stations, sqlite_core):
    from dataclasses import replace

    settings = sqlite_core.settings
    core = replace(
        sqlite_core,
        settings=replace(settings, station=replace(settings.station, number_start=5, number_end=5)),
    )
    _, kiosk = _kiosk(qtbot, make_stations, core)
    kiosk.issue("PAY")
    qtbot.waitUntil(lambda: kiosk.showing_ticket)
    assert kiosk.last_ticket.ticket.display_number == "A005"
    kiosk.show_services()
    kiosk.issue("PAY")
    qtbot.waitUntil(lambda: kiosk.view.status.level == "error")
    assert kiosk.view.status.text() == (
        "No more numbers for this service today. Please ask the staff."
    )


def test_chinese_screen(qtbot, make_stations, sqlite_core, chinese):
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    assert kiosk.view.prompt.text() == "请选择您要办理的业务"
    qtbot.waitUntil(lambda: kiosk.buttons["PAY"].waiting_label.text() == "等候 0 人")
    kiosk.issue("PAY")
    qtbot.waitUntil(lambda: kiosk.showing_ticket)
    assert kiosk.view.ticket_ahead.text() == "您前面没有人在等候"
    assert kiosk.view.ticket_time.text().startswith("取号时间 ")


def _printed_wait(issued, languages=("zh_CN", "en")) -> list[str]:
    """The wait rows the dispenser would print for this very ticket."""
    lines = decode_to_text(
        ticket_bytes(ticket_print(issued, "Asia/Shanghai"), 80, languages=languages)
    )
    return [t for t in lines if t.startswith(("预计等候", "Estimated wait"))]


def test_nobody_ahead_reads_no_wait_on_screen_and_ticket(
    qtbot, make_stations, sqlite_core, english
):
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    kiosk.issue("PAY")  # an empty queue
    qtbot.waitUntil(lambda: kiosk.showing_ticket)
    issued = kiosk.last_ticket
    assert issued.ahead == 0 and issued.no_wait and issued.estimated_wait_min == 0
    assert kiosk.view.ticket_wait.text() == "Estimated wait: none"  # not "about a minute"
    zh, en = _printed_wait(issued)
    assert zh.endswith("无需等候") and en.endswith("none")  # not "约 0 分钟"


def test_screen_and_ticket_show_one_estimate(qtbot, make_stations, sqlite_core, english):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    kiosk.issue("PAY")
    qtbot.waitUntil(lambda: kiosk.showing_ticket)
    issued = kiosk.last_ticket
    minutes = issued.estimated_wait_min
    assert issued.ahead == 1 and not issued.no_wait and minutes >= 1
    assert kiosk.view.ticket_wait.text() == f"Estimated wait: about {minutes} min"
    zh, en = _printed_wait(issued)
    assert zh.endswith(f"约 {minutes} 分钟") and en.endswith(f"about {minutes} min")


def test_chinese_screen_says_what_the_ticket_prints(qtbot, make_stations, sqlite_core, chinese):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    _, kiosk = _kiosk(qtbot, make_stations, sqlite_core)
    kiosk.issue("PAY")
    qtbot.waitUntil(lambda: kiosk.showing_ticket)
    minutes = kiosk.last_ticket.estimated_wait_min
    assert kiosk.view.ticket_wait.text() == f"预计等候约 {minutes} 分钟"
    (zh,) = _printed_wait(kiosk.last_ticket, languages=("zh_CN",))
    assert zh.startswith("预计等候") and zh.endswith(f"约 {minutes} 分钟")
