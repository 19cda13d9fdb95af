"""Work-arounds for bugs of the Qt binding, each detected at run time, not assumed.

`emit(signal, *args)`: PySide6 6.12.0 on CPython 3.11 returns the result of
`SignalInstance.emit()` (True or False) without a reference of its own, so every emit
from Python takes one reference off `True`. `True` starts with a few hundred, so after
some hundred emits the interpreter aborts ("bool_dealloc: deallocating True or False").
All UI code emits through this helper, which gives the missing reference back when, and
only when, the running binding shows the bug.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    probed = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    rounds = 16
    before = sys.getrefcount(True) + sys.getrefcount(False)
    results = [probe.probed.emit() for _ in range(rounds)]  # type: ignore[func-returns-value]
    del results
    after = sys.getrefcount(True) + sys.getrefcount(False)
    lost = before - after
    for _ in range(max(0, lost)):  # repair what the probe itself took
        _incref(True)
    return lost >= rounds


EMIT_DROPS_REFERENCE = _emit_drops_a_reference()


def emit(signal: SignalInstance, *args: Any) -> None:
    """`signal.emit(*args)`, safe from the binding's reference bug."""
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]
    if EMIT_DROPS_REFERENCE and isinstance(result, bool):
        _incref(result)
