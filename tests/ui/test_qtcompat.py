"""The emit helper keeps the interpreter alive where the binding drops references."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from app.ui.qtcompat import emit


class Sender(QObject):
    pinged = Signal(int)


def test_many_emits_leave_the_bool_refcounts_alone(qtbot):
    sender = Sender()
    got: list[int] = []
    sender.pinged.connect(got.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(5000):  # more than True's whole refcount on CPython 3.11
        emit(sender.pinged, i)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(got) == 5000
    assert abs(after[0] - before[0]) < 20
    assert abs(after[1] - before[1]) < 20
