"""The binding's work-arounds keep the interpreter alive where it drops references."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.ui import qtcompat
from app.ui.qtcompat import disconnect, emit

APP = Path(__file__).resolve().parents[2] / "app"


class Sender(QObject):
    pinged = Signal(int)


def _bool_refcounts() -> tuple[int, int]:
    return sys.getrefcount(True), sys.getrefcount(False)


def _unchanged(before: tuple[int, int], after: tuple[int, int]) -> bool:
    return abs(after[0] - before[0]) < 20 and abs(after[1] - before[1]) < 20


def test_many_emits_leave_the_bool_refcounts_alone(qtbot):
    sender = Sender()
    got: list[int] = []
    sender.pinged.connect(got.append)
    before = _bool_refcounts()
    for i in range(5000):  # more than True's whole refcount on CPython 3.11
        emit(sender.pinged, i)
    after = _bool_refcounts()
    assert len(got) == 5000
    assert _unchanged(before, after)


def _slot(_value: int) -> None:
    pass


def test_many_disconnects_leave_the_bool_refcounts_alone(qtbot):
    sender = Sender()
    before = _bool_refcounts()
    for _ in range(5000):
        sender.pinged.connect(_slot)
        assert disconnect(sender.pinged, _slot) is True
    for _ in range(100):  # all slots at once
        sender.pinged.connect(_slot)
        sender.pinged.connect(_slot)
        assert disconnect(sender.pinged) is True
    after = _bool_refcounts()
    assert _unchanged(before, after)
    assert sender.receivers("2pinged(int)") == 0


def test_pytest_qt_waits_leave_the_bool_refcounts_alone(qtbot):
    """pytest-qt disconnects its slots after each wait (tests/ui/conftest.py routes it
    through `disconnect`); some hundred waits over the suite crashed the exit."""
    sender = Sender()
    before = _bool_refcounts()
    for i in range(300):
        with qtbot.waitSignal(sender.pinged, timeout=1000) as caught:
            emit(sender.pinged, i)
        assert caught.args == [i]
        with qtbot.waitSignals([sender.pinged], timeout=1000):
            emit(sender.pinged, i)
        with qtbot.assertNotEmitted(sender.pinged):
            pass
    after = _bool_refcounts()
    assert _unchanged(before, after)


def test_the_probes_find_the_bugs_of_this_binding():
    """The work-arounds are on exactly where the binding drops the reference."""
    sender = Sender()
    before = _bool_refcounts()
    for _ in range(200):
        sender.pinged.emit(1)
    lost_by_emit = before[0] - _bool_refcounts()[0]
    before = _bool_refcounts()
    for _ in range(200):
        sender.pinged.connect(_slot)
        sender.pinged.disconnect(_slot)
    lost_by_disconnect = before[0] - _bool_refcounts()[0]
    for _ in range(max(0, lost_by_emit) + max(0, lost_by_disconnect)):
        qtcompat._incref(True)  # give back what this test took
    assert (lost_by_emit >= 200) == qtcompat.EMIT_DROPS_REFERENCE
    assert (lost_by_disconnect >= 200) == qtcompat.DISCONNECT_DROPS_REFERENCE


def test_the_app_emits_and_disconnects_only_through_the_helpers():
    bare = re.compile(r"\.(emit|disconnect)\(")
    found = [
        f"{path.relative_to(APP)}:{n}: {line.strip()}"
        for path in sorted(APP.rglob("*.py"))
        if path.name != "qtcompat.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []
